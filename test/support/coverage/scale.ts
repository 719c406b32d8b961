/**
 * `npm run coverage:scale`: how long `coverage --json` takes on a month of data for a fleet, and
 * how it grows with devices x days. Writes idempotency entries with reading summaries straight into
 * a fresh in-memory Azurite (as the ingest path writes them: one file per device and hour, 60
 * readings each), then times the real CLI, end to end, over growing slices.
 *
 *   npm run coverage:scale [-- --devices 50 --days 31]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TableClient, TableTransaction } from '@azure/data-tables';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { startAzurite } from '../../../scripts/lib/azurite';
import { hourLabel } from '../../../shared/readingSummary';

const HOUR = 3_600_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '50' },
      days: { type: 'string', default: '31' },
      'files-per-hour': { type: 'string', default: '1' },
    },
  });
  const devices = Number(values.devices);
  const days = Number(values.days);
  // One reading a minute per device, in files of 60 / filesPerHour readings each.
  const filesPerHour = Number(values['files-per-hour']);
  const perFile = Math.floor(60 / filesPerHour);
  const azurite = await startAzurite({ inMemory: true });
  try {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'idempotency', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    const start = Date.parse('2026-10-01T00:00:00Z');
    const loadStarted = performance.now();
    let entries = 0;
    for (let d = 0; d < devices; d++) {
      const deviceId = `truck-${String(d).padStart(3, '0')}`;
      let batch = new TableTransaction();
      let inBatch = 0;
      for (let h = 0; h < days * 24; h++) {
        // Every device misses a few hours a day, at different times: the report has gaps to find.
        if ((h * 7 + d) % 23 === 0) continue;
        const hour = start / HOUR + h;
        for (let f = 0; f < filesPerHour; f++) {
          const first = hour * HOUR + f * perFile * 60_000;
          const received = new Date(first + perFile * 60_000 + 30_000).toISOString();
          batch.createEntity({
            partitionKey: deviceId,
            rowKey: `${hour.toString(16)}-${f}`,
            idempotencyKey: `k${h}`,
            blobName: `${deviceId}/x/${h}.json`,
            sha256: '0'.repeat(64),
            sizeBytes: 4000,
            receivedAt: received,
            schemaId: 'oil-condition-v1',
            state: 'pending',
            summaryVersion: 1,
            readings: perFile,
            firstReadingAt: new Date(first).toISOString(),
            lastReadingAt: new Date(first + (perFile - 1) * 60_000).toISOString(),
            readingHours: `${hourLabel(hour)}:${perFile}`,
            sentAt: received,
            clockOffsetSeconds: 0,
          });
          entries++;
          if (++inBatch === 100) {
            await table.submitTransaction(batch.actions);
            batch = new TableTransaction();
            inBatch = 0;
          }
        }
      }
      if (inBatch) await table.submitTransaction(batch.actions);
    }
    console.log(
      `loaded ${entries.toLocaleString('en-US')} entries (${devices} devices x ${days} days, ${filesPerHour} file(s) an hour of ${perFile} readings) in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
    );

    const env = {
      ...process.env,
      DATA_STORAGE_CONNECTION_STRING: azurite.connectionString,
      IDEMPOTENCY_TABLE: 'idempotency',
    };
    console.log('\n| devices | days | entries read | coverage --json, median of 3 (s) |');
    console.log('| ---: | ---: | ---: | ---: |');
    for (const [n, span] of [
      [Math.ceil(devices / 5), Math.ceil(days / 4)],
      [Math.ceil(devices / 2), Math.ceil(days / 2)],
      [devices, Math.ceil(days / 2)],
      [devices, days],
    ] as const) {
      const ids = Array.from({ length: n }, (_, d) => `truck-${String(d).padStart(3, '0')}`);
      const to = new Date(start + span * 24 * HOUR).toISOString();
      const args = [
        '--import',
        'tsx',
        join(REPO_ROOT, 'scripts', 'ops', 'cli.ts'),
        'coverage',
        '--from',
        new Date(start).toISOString(),
        '--to',
        to,
        '--json',
        '--quiet',
        '--device',
        ...ids,
      ];
      // Median of three runs: these machines are small and noisy.
      const runs: Array<{ seconds: number; out: string }> = [];
      for (let r = 0; r < 3; r++) {
        const began = performance.now();
        const out = execFileSync(process.execPath, args, {
          cwd: REPO_ROOT,
          env,
          maxBuffer: 64 * 1024 * 1024,
        }).toString();
        runs.push({ seconds: (performance.now() - began) / 1000, out });
      }
      runs.sort((a, b) => a.seconds - b.seconds);
      const { seconds, out } = runs[1]!;
      const report = JSON.parse(out.trim().split('\n').at(-1)!) as { devices: Array<{ files: number }> };
      const read = report.devices.reduce((sum, d) => sum + d.files, 0);
      console.log(`| ${n} | ${span} | ${read.toLocaleString('en-US')} | ${seconds.toFixed(2)} |`);
    }
    console.log(
      `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${new Date().toISOString().slice(0, 10)}; Azurite in memory.`,
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
