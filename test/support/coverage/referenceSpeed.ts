/**
 * How fast `coverage --reference` reads a historian's export: writes one (one row per reading, a
 * reading a minute per truck) of `--rows` rows to a temporary file, reads it as the command does,
 * and prints rows per second and the process's peak memory. `npx tsx test/support/coverage/referenceSpeed.ts --rows 2600000`
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readReference } from '../../../scripts/ops/coverage/referenceCsv';
import { DEFAULT_REFERENCE_COLUMNS, wholeHours } from '../../../shared/coverage';

async function writeExport(path: string, rows: number, trucks: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('device,timestamp,value\n');
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < rows; i++) {
    const minute = Math.floor(i / trucks);
    const line = `truck-${String(i % trucks).padStart(3, '0')},${new Date(start + minute * 60_000).toISOString()},84.2\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--rows');
  const rows = at > 0 ? Number(process.argv[at + 1]) : 2_600_000;
  const dir = mkdtempSync(join(tmpdir(), 'reference-speed-'));
  const path = join(dir, 'export.csv');
  try {
    await writeExport(path, rows, 50);
    const range = wholeHours({ from: new Date('2026-01-01T00:00Z'), to: new Date('2027-01-01T00:00Z') });
    const started = process.hrtime.bigint();
    const tally = await readReference(path, DEFAULT_REFERENCE_COLUMNS, range);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      JSON.stringify({
        rows: tally.rows,
        megabytes: Math.round(statSync(path).size / 1e6),
        seconds: Number(seconds.toFixed(1)),
        rowsPerSecond: Math.round(tally.rows / seconds),
        devices: tally.hours.size,
        peakRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
