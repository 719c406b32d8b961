/**
 * The drain: one gateway back in coverage sends what it buffered while offline, one file at a time
 * on one keep-alive connection, through the backfill's own HTTP client (`EndpointClient`, as
 * `npm run backfill -- --concurrency 1` sends). Its files mix sizes as a day offline leaves them:
 * for every 100 files, 90 of ~1 KB, 9 of ~64 KB and one of ~1 MB, in the order they were written.
 * Measured: the time from the first request to the last answer, against the floor storing the same
 * files. Bodies go plain (a gateway's own client) or gzipped above 1 KiB (the backfill's default).
 * Fresh Azurite and a fresh server for every variant and round, rounds interleaved, as in the load
 * section; each variant first sends 100 other files of the same mix (warm-up).
 */
import { gzipSync } from 'node:zlib';
import { EndpointClient } from '../../../scripts/ops/backfill/http';
import { GZIP_ABOVE_BYTES } from '../../../scripts/ops/backfill/sender';
import { type LoadOptions, cpuSince, cpuSnapshot } from './load';
import { BodyTemplate, type BenchRequest, deviceOf } from './payloads';
import { waitForCalm } from './procfs';
import { type SectionReport, say, table } from './report';
import { CALM, calmRuns, calmerRun, inRoundOrder, isCalm } from './loadSection';
import { type Target, withServer } from './servers';
import { MiB, fmtRatio, median, pairedRatio, percentile } from './stats';

export const DRAIN_FILES = 500;
export const WARMUP_FILES = 100;
/** The drain's one gateway. */
const DEVICE = 0;

const SIZES = { '1k': 1024, '64k': 64 * 1024, '1m': MiB } as const;
type SizeId = keyof typeof SIZES;

/** The size of the i-th buffered file: every 100th ~1 MB, every 10th of the rest ~64 KB, else ~1 KB. */
export function drainSizeOf(i: number): SizeId {
  if (i % 100 === 99) return '1m';
  return i % 10 === 9 ? '64k' : '1k';
}

export type DrainEncoding = 'plain' | 'gzip';
/** `before`: the app built in the `--baseline` directory, drained in the same rounds. */
type Server = 'floor' | 'checked' | 'ingest' | 'before';

interface DrainRun {
  round: number;
  seconds: number;
  ok: number;
  /** Non-200 answers and failures (no answer), by status or code. */
  failed: Record<string, number>;
  p50: number;
  p99: number;
  cpuPerFile: { server: number; azurite: number; client: number };
  othersShare: number;
}

/** What the targets read: the drain's total time against the floor's, per encoding. */
export interface DrainFacts {
  timeRatio(encoding: DrainEncoding): number;
  /** This app's drain time against the baseline's (`--baseline`), within rounds; NaN without one. */
  timeToBefore(encoding: DrainEncoding): number;
  failures: number;
}

/** The drain's files (and the warm-up's, from sequence 1,000,000), built once for every run. */
export class DrainFiles {
  private readonly templates = new Map<SizeId, BodyTemplate>();

  constructor(readonly encoding: DrainEncoding) {}

  upload(seq: number, i: number, key: string | undefined): BenchRequest {
    const size = drainSizeOf(i);
    const template = this.templates.get(size) ?? new BodyTemplate(SIZES[size]);
    this.templates.set(size, template);
    const plain = template.body(seq, DEVICE);
    const gzip = this.encoding === 'gzip' && plain.byteLength > GZIP_ABOVE_BYTES;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (gzip) headers['content-encoding'] = 'gzip';
    return { path: `/api/ingest/${deviceOf(DEVICE)}`, headers, body: gzip ? gzipSync(plain) : plain };
  }

  batch(from: number, count: number, keys: ReadonlyMap<string, string>): BenchRequest[] {
    const key = keys.get(deviceOf(DEVICE));
    return Array.from({ length: count }, (_, i) => this.upload(from + i, i, key));
  }
}

/** Sends the files one after another on one connection; every file must be answered 200 (`latencies`). */
export async function send(url: string, files: BenchRequest[], pids?: LoadOptions['pids']) {
  const client = new EndpointClient(new URL(url), 1);
  const signal = new AbortController().signal;
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  const before = cpuSnapshot(pids);
  const started = performance.now();
  try {
    for (const file of files) {
      const sent = performance.now();
      const answer = await client.post(new URL(file.path, url), {
        headers: file.headers,
        body: file.body,
        timeoutMs: 60_000,
        signal,
      });
      const outcome = answer.kind === 'answer' ? String(answer.status) : answer.code;
      if (outcome === '200') latencies.push(performance.now() - sent);
      else failed[outcome] = (failed[outcome] ?? 0) + 1;
    }
  } finally {
    client.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(before, files.length, pids);
  return { seconds, latencies, failed, cpu };
}

export interface DrainSettings {
  rounds: number;
  workDir: string;
  /** A directory holding the app as it was (built), drained next to this one. */
  baseline?: string;
}

interface DrainVariant {
  id: string;
  encoding: DrainEncoding;
  server: Server;
}

function drainVariants(baseline: boolean): DrainVariant[] {
  const servers: Server[] = baseline
    ? ['floor', 'checked', 'ingest', 'before']
    : ['floor', 'checked', 'ingest'];
  return (['plain', 'gzip'] as const).flatMap((encoding) =>
    servers.map((server) => ({ encoding, server, id: `${encoding}/${server}` })),
  );
}

const TARGETS: Record<Server, Target> = {
  floor: { kind: 'floor', order: 'parallel' },
  checked: { kind: 'floor', order: 'checked' },
  ingest: { kind: 'ingest', auth: true },
  before: { kind: 'ingest', auth: true, before: true },
};

function measureDrain(
  { server, encoding }: DrainVariant,
  files: DrainFiles,
  round: number,
  settings: DrainSettings,
): Promise<DrainRun> {
  return withServer(TARGETS[server], settings, async (host, storage) => {
    await send(host.url, files.batch(1_000_000, WARMUP_FILES, storage.keys));
    const drain = files.batch(0, DRAIN_FILES, storage.keys);
    await waitForCalm(CALM, 20_000);
    const pids = { server: host.pid, azurite: storage.azurite.process.pid };
    const { seconds, latencies, failed, cpu } = await send(host.url, drain, pids);
    const run = {
      round,
      seconds,
      ok: latencies.length,
      failed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuPerFile: cpu.cpuPerRequest,
      othersShare: cpu.othersShare,
    };
    say(
      `   round ${round}  drain ${encoding.padEnd(5)} ${server.padEnd(6)} ${seconds.toFixed(2)} s` +
        `  p50 ${run.p50.toFixed(1)} ms  CPU/file ${run.cpuPerFile.server.toFixed(2)}` +
        ` + Azurite ${run.cpuPerFile.azurite.toFixed(2)} ms  others ${(run.othersShare * 100).toFixed(0)}%` +
        (run.ok === DRAIN_FILES ? '' : `  !!! not answered 200: ${JSON.stringify(failed)}`),
    );
    return run;
  });
}

export async function drainSection(settings: DrainSettings): Promise<SectionReport & { facts: DrainFacts }> {
  const variants = drainVariants(settings.baseline !== undefined);
  const files = { plain: new DrainFiles('plain'), gzip: new DrainFiles('gzip') };
  const runs = new Map<string, DrainRun[]>();
  say(
    `Drain: ${DRAIN_FILES} files (${drainMix()}), one at a time on one connection, ` +
      `${variants.length} variants x ${settings.rounds} rounds`,
  );
  for (let round = 1; round <= settings.rounds; round++) {
    for (const v of inRoundOrder(variants, round, (id) => id.replace(/\/ingest$/, '/before'))) {
      const run = await calmerRun(() => measureDrain(v, files[v.encoding], round, settings));
      runs.set(v.id, [...(runs.get(v.id) ?? []), run]);
    }
  }
  return drainReport(runs, variants, settings.baseline !== undefined);
}

function drainReport(
  runs: Map<string, DrainRun[]>,
  variants: DrainVariant[],
  baseline: boolean,
): SectionReport & { facts: DrainFacts } {
  const of = (id: string) => runs.get(id) ?? [];
  const used = (id: string) => calmRuns(of(id));
  const time = (r: DrainRun) => r.seconds;
  const facts: DrainFacts = {
    timeRatio: (encoding) => pairedRatio(of(`${encoding}/ingest`), of(`${encoding}/floor`), isCalm, time),
    timeToBefore: (encoding) => pairedRatio(of(`${encoding}/ingest`), of(`${encoding}/before`), isCalm, time),
    failures: variants.reduce((n, v) => n + of(v.id).reduce((m, r) => m + DRAIN_FILES - r.ok, 0), 0),
  };
  const rows = variants.map(({ id, encoding, server }) => {
    const got = used(id);
    const mid = (pick: (r: DrainRun) => number, digits: number) => median(got.map(pick)).toFixed(digits);
    const seconds = got.map(time);
    const cpu = (k: keyof DrainRun['cpuPerFile']) => mid((r) => r.cpuPerFile[k], 2);
    return [
      {
        floor: 'floor, both writes at once',
        checked: 'floor + JSON.parse, SHA-256, MD5; entry then blob',
        ingest: 'ingest, auth on',
        before: 'ingest before (baseline)',
      }[server],
      encoding === 'plain' ? 'plain JSON' : `gzip above ${GZIP_ABOVE_BYTES} B`,
      `${mid(time, 2)} (${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)})`,
      server === 'floor' ? '1 (floor)' : fmtRatio(pairedRatio(of(id), of(`${encoding}/floor`), isCalm, time)),
      mid((r) => r.p50, 1),
      mid((r) => r.p99, 1),
      `${cpu('server')} / ${cpu('azurite')} / ${cpu('client')}`,
      `${(median(got.map((r) => r.othersShare)) * 100).toFixed(0)}% (${got.length}/${of(id).length})`,
      String(of(id).reduce((m, r) => m + DRAIN_FILES - r.ok, 0)),
      ...(baseline ? [server === 'ingest' ? fmtRatio(facts.timeToBefore(encoding)) : ''] : []),
    ];
  });
  const header = [
    'server, variant',
    'bodies',
    'total s (range)',
    'time ÷ floor',
    'p50 ms',
    'p99 ms',
    'CPU ms/file: server / Azurite / client',
    'other processes (rounds used)',
    'non-200',
    ...(baseline ? ['time ÷ before (same rounds)'] : []),
  ];
  const markdown = table(header, rows);
  say();
  say(markdown);
  say();
  if (facts.failures > 0)
    say('!!! DRAIN FILES WERE NOT ANSWERED 200: every file must be stored. This is a bug. !!!');
  return { id: 'drain', markdown, facts };
}

/** The drain's mix, as the section's first line says it. */
export function drainMix(): string {
  const counts = { '1k': 0, '64k': 0, '1m': 0 };
  for (let i = 0; i < DRAIN_FILES; i++) counts[drainSizeOf(i)]++;
  return `${counts['1k']} x ~1 KB, ${counts['64k']} x ~64 KB, ${counts['1m']} x ~1 MB to ${deviceOf(DEVICE)}`;
}
