/**
 * Is any one step a meaningful share of a request? Each CPU step of admitting a file, timed on the
 * same payloads side by side (JSON.parse, the duplicate-key/depth scan, validation, the reading
 * summary, sha256 + md5), next to a whole new-file ingest against Azurite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { checkJsonStructure } from '../../../shared/jsonStructure';
import { RawBody } from '../../../shared/rawBody';
import { summarizeReadings } from '../../../shared/readingSummary';
import { createRuntime } from '../../../shared/runtime';
import { loadGeneratedValidator } from '../../../shared/validation/generatedValidators';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { ingestRequest } from './inProcessRequest';
import { MODEL, deviceOf, oilDocument } from './payloads';
import { type SectionReport, say, table } from './report';
import { freshStorage } from './servers';
import { fmtMs, median } from './stats';

function timePerOp(fn: () => void, minMs = 300): number {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    fn();
    n++;
  }
  return (performance.now() - started) / n;
}

export async function hotPathSection(): Promise<SectionReport> {
  const validator = loadGeneratedValidator();
  const profile = validator.profile(MODEL);
  const sample = readFileSync(join(REPO_ROOT, 'docs', 'samples', 'oil-condition.json'));
  const big = Buffer.from(oilDocument('truck-1', 1000, 0));
  const small = Buffer.from(oilDocument('truck-1', 20, 0));

  say('Hot path, per request (same payloads, side by side)');
  const rows: string[][] = [];
  const costs = new Map<string, { validate: number; summary: number }>();
  for (const [label, bytes] of [
    [`sample file (${sample.byteLength} B)`, sample],
    [`20 readings (${(small.byteLength / 1024).toFixed(1)} KiB)`, small],
    [`1000 readings (${(big.byteLength / 1024).toFixed(0)} KiB)`, big],
  ] as const) {
    const parsed: unknown = JSON.parse(bytes.toString());
    const parse = timePerOp(() => JSON.parse(bytes.toString()));
    const scan = timePerOp(() => checkJsonStructure(bytes.toString(), parsed, 64));
    const validate = timePerOp(() => validator.validate(MODEL, parsed, bytes.byteLength));
    const summary = timePerOp(() => summarizeReadings(profile, parsed));
    const hash = timePerOp(() => {
      // As the ingest path hashes a body: both digests over its chunks.
      const body = RawBody.of(bytes);
      body.digest('sha256');
      body.digest('md5');
    });
    costs.set(label, { validate, summary });
    rows.push([label, fmtMs(parse), fmtMs(scan), fmtMs(validate), fmtMs(summary), fmtMs(hash)]);
    say(
      `   ${label}: JSON.parse ${fmtMs(parse)}, key/depth scan ${fmtMs(scan)}, validate ${fmtMs(validate)}, ` +
        `reading summary ${fmtMs(summary)}, sha256+md5 ${fmtMs(hash)}`,
    );
  }

  // A whole new-file ingest (authenticated, 20 readings) against a fresh Azurite, in-process.
  const storage = await freshStorage();
  let perIngest: number;
  try {
    const runtime = createRuntime(
      loadConfig({
        DATA_STORAGE_CONNECTION_STRING: storage.azurite.connectionString,
        RATE_LIMIT_PER_MINUTE: '0',
      }),
    );
    const times: number[] = [];
    for (let i = 0; i < 150; i++) {
      const device = deviceOf(i);
      const t0 = performance.now();
      await runtime.ingest.ingest(
        ingestRequest(device, oilDocument(device, 20, i), storage.keys.get(device)),
      );
      times.push(performance.now() - t0);
    }
    perIngest = median(times.slice(10));
  } finally {
    await storage.azurite.stop();
  }
  const twenty = costs.get(rows[1]![0]!)!;
  const share = (ms: number) => `${((ms / perIngest) * 100).toFixed(2)}%`;
  say(`   a whole new-file ingest against Azurite (20 readings, median of 140): ${fmtMs(perIngest)}`);
  say(`   share of it: validation ${share(twenty.validate)}, reading summary ${share(twenty.summary)}\n`);
  return {
    id: 'hotpath',
    markdown: [
      table(['payload', 'JSON.parse', 'key/depth scan', 'validate', 'reading summary', 'sha256 + md5'], rows),
      '',
      `A whole new-file ingest in-process against Azurite (authenticated, 20 readings, median of 140): ` +
        `${fmtMs(perIngest)}; validation is ${share(twenty.validate)} of it and the reading summary ` +
        `${share(twenty.summary)}.`,
    ].join('\n'),
  };
}
