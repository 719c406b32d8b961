/**
 * `npm run coverage:scale`: what a one-month coverage report costs over a year of history. Loads a
 * fleet's settled files straight into a fresh in-memory Azurite, as the ingest path and the sweep
 * leave them (each file's claim and file-log row, the day rollups; one file a device and hour of 60
 * readings), then for a report on the last month:
 *
 * - counts the entities inside the RowKey ranges the report asks for (all it asks for: every query
 *   is a range, so this is what Azure Table Storage reads, whatever Azurite does) against the
 *   entities the report needs (the month's day rollups and the log rows of the files it counts);
 * - for comparison, the entities a partition scan filtered on ordinary properties reads (the whole
 *   partition: the service evaluates such a filter row by row);
 * - times the real CLI (`coverage --json`) end to end, median of 3, with the Azurite timing of a
 *   one-month history beside it.
 *
 *   npm run coverage:scale [-- --devices 50 --months 12]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { coverageOf, DEFAULT_CLOCK_FLOOR_MS, readCoverageInput } from '../../../shared/coverage';
import type { DayHours } from '../../../shared/ledger/dayRollup';
import { FileState, type LedgerStore } from '../../../shared/ledger/types';
import { storedSummary } from '../../../shared/readingSummary';
import { RecordState } from '../../../shared/idempotencyRecord';
import { claimEntity, fileEntity, rollupEntity } from '../../../shared/storage/ledgerEntities';
import { TableLedgerStore } from '../../../shared/storage/tableLedgerStore';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { startAzurite } from '../../../scripts/lib/azurite';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-01-01T00:00:00Z');

interface Loaded {
  entities: number;
  seconds: number;
}

/** Every hour but a few (gaps to find) for `days` days: claim + file-log row per file, day rollups. */
async function load(
  table: TableClient,
  deviceId: string,
  days: number,
  deviceIndex: number,
): Promise<number> {
  let actions: TransactionAction[] = [];
  let written = 0;
  const flush = async () => {
    if (actions.length) await table.submitTransaction(actions);
    written += actions.length;
    actions = [];
  };
  const add = async (action: TransactionAction) => {
    actions.push(action);
    if (actions.length === 100) await flush();
  };
  for (let day = 0; day < days; day++) {
    const hours: DayHours = new Map([[dayKey(START + day * DAY), new Map()]]);
    const counts = hours.values().next().value!;
    for (let h = 0; h < 24; h++) {
      if (((day * 24 + h) * 7 + deviceIndex) % 23 === 0) continue;
      const first = START + day * DAY + h * HOUR;
      const receivedAt = new Date(first + HOUR + 30_000);
      const key = `k-${day}-${h}`;
      const summary = storedSummary(
        {
          readings: 60,
          firstReadingAt: new Date(first).toISOString(),
          lastReadingAt: new Date(first + 59 * 60_000).toISOString(),
          readingHours: `${new Date(first).toISOString().slice(0, 13).replace(/[-T]/g, '')}:60`,
          sentAt: receivedAt.toISOString(),
        },
        receivedAt,
      );
      const record = {
        deviceId,
        key,
        blobName: `${deviceId}/${key}.json`,
        sha256: '0'.repeat(64),
        sizeBytes: 4000,
        receivedAt: receivedAt.toISOString(),
        schemaId: 'oil-condition-v1',
        state: RecordState.Stored,
        summary,
      };
      await add(['create', claimEntity(record)]);
      await add(['create', fileEntity({ ...record, state: FileState.Stored, settledAt: record.receivedAt })]);
      counts.set(h, { readings: 60, files: 1, untimed: 0 });
    }
    const [dayId] = hours.keys();
    await add([
      'create',
      rollupEntity({
        deviceId,
        day: dayId!,
        hours: counts,
        receivedOn: new Set([dayId!, dayKey(START + (day + 1) * DAY)]),
      }),
    ]);
  }
  await flush();
  return written;
}

function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Counts what each query brings back (with key ranges only, what the service reads), by kind. */
function counting(ledger: LedgerStore) {
  const read = { rollups: 0, files: 0, markers: 0 };
  const count = async <T>(kind: keyof typeof read, rows: Promise<T[]>) => {
    const list = await rows;
    read[kind] += list.length;
    return list;
  };
  const counted: LedgerStore = {
    markers: (d) => count('markers', ledger.markers(d)),
    claim: (d, k) => ledger.claim(d, k),
    rollupsOf: (d, days) => count('rollups', ledger.rollupsOf(d, days)),
    settle: (s) => ledger.settle(s),
    rollupRange: (d, f, t) => count('rollups', ledger.rollupRange(d, f, t)),
    fileLog: (d, f, t) => count('files', ledger.fileLog(d, f, t)),
  };
  return { ledger: counted, read };
}

async function measure(months: number, devices: number): Promise<void> {
  const days = Math.round(months * 30.4);
  const azurite = await startAzurite({ inMemory: true });
  try {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'idempotency', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    const began = performance.now();
    let entities = 0;
    const ids = Array.from({ length: devices }, (_, d) => `truck-${String(d).padStart(3, '0')}`);
    for (const [d, id] of ids.entries()) entities += await load(table, id, days, d);
    const loaded: Loaded = { entities, seconds: (performance.now() - began) / 1000 };

    // The report: the last whole month of the history.
    const to = new Date(START + (days - 1) * DAY);
    const from = new Date(to.getTime() - 30 * DAY);
    const { ledger, read } = counting(new TableLedgerStore(table, 30_000));
    let needed = 0;
    for (const id of ids) {
      const input = await readCoverageInput({ ledger, blobs: { find: async () => undefined }, now: to }, id, {
        from,
        to,
      });
      const report = coverageOf(
        input,
        { from, to },
        { toleranceSeconds: 300, floorMs: DEFAULT_CLOCK_FLOOR_MS },
      );
      needed += report.files + report.orphaned;
    }
    // Every rollup read is one of the month's days: all of them are needed.
    needed += read.rollups;
    const reportRead = read.rollups + read.files + read.markers;
    const cli = timeCli(azurite.connectionString, ids, from, to);
    const n = (x: number) => x.toLocaleString('en-US');
    console.log(
      `| ${months} | ${devices} | ${n(loaded.entities)} (${loaded.seconds.toFixed(0)} s) | ${n(Math.round(entities / devices))} | ${n(reportRead)} | ${n(needed)} | ${(reportRead / needed).toFixed(2)}x | ${cli.toFixed(2)} |`,
    );
  } finally {
    await azurite.stop();
  }
}

/** `coverage --json` over the range for these devices, median of three runs, in seconds. */
function timeCli(connectionString: string, ids: string[], from: Date, to: Date): number {
  const env = {
    ...process.env,
    DATA_STORAGE_CONNECTION_STRING: connectionString,
    IDEMPOTENCY_TABLE: 'idempotency',
  };
  const args = [
    '--import',
    'tsx',
    join(REPO_ROOT, 'scripts', 'ops', 'cli.ts'),
    'coverage',
    '--from',
    from.toISOString(),
    '--to',
    to.toISOString(),
    '--json',
    '--quiet',
    '--device',
    ...ids,
  ];
  const seconds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const started = performance.now();
    execFileSync(process.execPath, args, { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 });
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[1]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { devices: { type: 'string', default: '50' }, months: { type: 'string', default: '12' } },
  });
  const devices = Number(values.devices);
  const months = Number(values.months);
  console.log(
    "| history (months) | devices | entities loaded (load time) | per partition (a partition scan reads all) | entities in the report's key ranges | entities the report needs | ratio | coverage --json, median of 3 (s) |",
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  await measure(1, devices);
  await measure(months, devices);
  console.log(
    `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${new Date().toISOString().slice(0, 10)}; Azurite in memory.`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
