/** Issue 13's and issue 23's targets, each checked against this run's figures. */
import type { DrainFacts } from './drain';
import { DUPLICATE_IDS, type LoadFacts } from './loadSection';
import type { MemoryFacts } from './memorySection';
import { type SectionReport, say, table } from './report';
import { fmtMiB, fmtRatio, meets } from './stats';

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : '**missed**');

export function targetsBlock(
  load: LoadFacts | undefined,
  memory: MemoryFacts | undefined,
  drain?: DrainFacts,
): SectionReport {
  const rows: string[][] = [];
  const ratioRow = (label: string, value: number, op: '>=' | '<=', bound: number) =>
    rows.push([label, `${op} ${bound}`, fmtRatio(value), verdict(meets(value, op, bound))]);
  if (load) {
    for (const c of [1, 16, 64]) {
      const id = `ingest-auth-on/1k/c${c}`;
      ratioRow(`ingest (auth on) new-file req/s ÷ floor, ~1 KB, ${c} conn.`, load.rpsRatio(id), '>=', 0.95);
      const serial = load.rpsRatio(id, 'serial');
      if (!Number.isNaN(serial)) ratioRow('... ÷ serial floor (entry, then blob)', serial, '>=', 0.95);
    }
    ratioRow('ingest p99 ÷ floor p99, ~1 KB, 16 conn.', load.p99Ratio('ingest-auth-on/1k/c16'), '<=', 1.1);
    ratioRow('... ÷ serial floor p99', load.p99Ratio('ingest-auth-on/1k/c16', 'serial'), '<=', 1.1);
    ratioRow(
      'duplicate req/s ÷ floor, to the instance that stored it',
      load.rpsRatio(DUPLICATE_IDS.same),
      '>=',
      2,
    );
    ratioRow('duplicate req/s ÷ floor, to a fresh instance', load.rpsRatio(DUPLICATE_IDS.fresh), '>=', 2);
    for (const c of [1, 4])
      ratioRow(
        `ingest new-file req/s ÷ floor, ~1 MB, ${c} conn.`,
        load.rpsRatio(`ingest-auth-on/1m/c${c}`),
        '>=',
        0.6,
      );
    ratioRow(
      'ingest new-file req/s ÷ floor, ~64 KB, 16 conn.',
      load.rpsRatio('ingest-auth-on/64k/c16'),
      '>=',
      0.85,
    );
    // Issue 23: ~1 KB files no worse than before its changes, against the baseline's app (--baseline)
    // in the same rounds; 5% is about the spread of one build against itself in one run.
    for (const c of [1, 16, 64])
      ratioRow(
        `~1 KB, ${c} conn.: req/s ÷ the baseline's (--baseline)`,
        load.rpsToBefore(`ingest-auth-on/1k/c${c}`),
        '>=',
        0.95,
      );
  }
  if (drain) {
    ratioRow(
      'drain, 500 files on one connection: time ÷ floor, plain JSON',
      drain.timeRatio('plain'),
      '<=',
      1.25,
    );
    ratioRow('... gzip above 1 KiB, as the backfill sends', drain.timeRatio('gzip'), '<=', 1.25);
  }
  if (memory) {
    const allowed = 3 * memory.maxBodyBytes;
    rows.push([
      `peak RSS, one max-size body (${fmtMiB(memory.maxBodyBytes)})`,
      `<= baseline + 3 x body (+${fmtMiB(allowed)})`,
      `baseline + ${fmtMiB(memory.oneMaxBody)} (${(memory.oneMaxBody / memory.maxBodyBytes).toFixed(2)} x body)`,
      verdict(meets(memory.oneMaxBody, '<=', allowed)),
    ]);
  }
  const markdown = table(['target', 'bound', 'this run', 'verdict'], rows);
  say('Targets');
  say(markdown);
  say();
  return { id: 'targets', markdown };
}
