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
import { CALM, NOISY } from './loadSection';
import { BodyTemplate, type BenchRequest, deviceOf } from './payloads';
import { waitForCalm } from './procfs';
import { type SectionReport, say, table } from './report';
import { type ServerUnderTest, type Storage, freshStorage, startDevHost, startFloor } from './servers';
import { MiB, fmtRatio, median, percentile, ratio } from './stats';

export const DRAIN_FILES = 500;
const WARMUP_FILES = 100;
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
type Server = 'floor' | 'ingest';

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
  failures: number;
}

/** The drain's files (and the warm-up's, from sequence 1,000,000), built once for every run. */
class DrainFiles {
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

/** Sends the files one after another on one connection; every file must be answered 200. */
async function send(url: string, files: BenchRequest[], pids?: LoadOptions['pids']) {
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

async function measureDrain(
  server: Server,
  files: DrainFiles,
  round: number,
  workDir: string,
): Promise<DrainRun> {
  const storage: Storage = await freshStorage();
  try {
    const host: ServerUnderTest =
      server === 'floor'
        ? await startFloor(storage, 'parallel')
        : await startDevHost(storage, { auth: true, workDir });
    try {
      await send(host.url, files.batch(1_000_000, WARMUP_FILES, storage.keys));
      const drain = files.batch(0, DRAIN_FILES, storage.keys);
      await waitForCalm(CALM, 20_000);
      const pids = { server: host.pid, azurite: storage.azurite.process.pid };
      const { seconds, latencies, failed, cpu } = await send(host.url, drain, pids);
      return {
        round,
        seconds,
        ok: latencies.length,
        failed,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpuPerFile: cpu.cpuPerRequest,
        othersShare: cpu.othersShare,
      };
    } finally {
      await host.stop();
    }
  } finally {
    await storage.azurite.stop();
  }
}

const VARIANTS = (['plain', 'gzip'] as const).flatMap((encoding) =>
  (['floor', 'ingest'] as const).map((server) => ({ encoding, server, id: `${encoding}/${server}` })),
);

export async function drainSection(
  rounds: number,
  workDir: string,
): Promise<SectionReport & { facts: DrainFacts }> {
  const files = { plain: new DrainFiles('plain'), gzip: new DrainFiles('gzip') };
  const runs = new Map<string, DrainRun[]>();
  say(
    `Drain: ${DRAIN_FILES} files (${drainMix()}), one at a time on one connection, ${VARIANTS.length} variants x ${rounds} rounds`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const v of VARIANTS) {
      let run = await measureDrain(v.server, files[v.encoding], round, workDir);
      if (run.othersShare > NOISY) {
        say(`   (other processes used ${(run.othersShare * 100).toFixed(0)}% of the machine: repeating)`);
        const again = await measureDrain(v.server, files[v.encoding], round, workDir);
        if (again.othersShare < run.othersShare) run = again;
      }
      runs.set(v.id, [...(runs.get(v.id) ?? []), run]);
      say(
        `   round ${round}/${rounds}  drain ${v.encoding.padEnd(5)} ${v.server.padEnd(6)} ${run.seconds.toFixed(2)} s` +
          `  p50 ${run.p50.toFixed(1)} ms  CPU/file ${run.cpuPerFile.server.toFixed(2)} + Azurite ${run.cpuPerFile.azurite.toFixed(2)} ms` +
          `  others ${(run.othersShare * 100).toFixed(0)}%` +
          (run.ok === DRAIN_FILES ? '' : `  !!! not answered 200: ${JSON.stringify(run.failed)}`),
      );
    }
  }
  return drainReport(runs);
}

function drainReport(runs: Map<string, DrainRun[]>): SectionReport & { facts: DrainFacts } {
  const isCalm = (r: DrainRun) => r.othersShare <= NOISY;
  const of = (id: string) => runs.get(id) ?? [];
  const used = (id: string) => (of(id).some(isCalm) ? of(id).filter(isCalm) : of(id));
  const timeRatio = (encoding: DrainEncoding) => {
    const floor = of(`${encoding}/floor`);
    const pairs = of(`${encoding}/ingest`).flatMap((r) => {
      const f = floor.find((x) => x.round === r.round);
      return f ? [[r, f] as const] : [];
    });
    const calm = pairs.filter(([a, b]) => isCalm(a) && isCalm(b));
    return median((calm.length ? calm : pairs).map(([a, b]) => ratio(a.seconds, b.seconds)));
  };
  const failures = VARIANTS.reduce((n, v) => n + of(v.id).reduce((m, r) => m + DRAIN_FILES - r.ok, 0), 0);
  const rows = VARIANTS.map(({ id, encoding, server }) => {
    const got = used(id);
    const mid = (pick: (r: DrainRun) => number, digits: number) => median(got.map(pick)).toFixed(digits);
    const seconds = got.map((r) => r.seconds);
    return [
      server === 'floor' ? 'floor, both writes at once' : 'ingest, auth on',
      encoding === 'plain' ? 'plain JSON' : `gzip above ${GZIP_ABOVE_BYTES} B`,
      `${mid((r) => r.seconds, 2)} (${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)})`,
      server === 'floor' ? '1 (floor)' : fmtRatio(timeRatio(encoding)),
      mid((r) => r.p50, 1),
      mid((r) => r.p99, 1),
      `${mid((r) => r.cpuPerFile.server, 2)} / ${mid((r) => r.cpuPerFile.azurite, 2)} / ${mid((r) => r.cpuPerFile.client, 2)}`,
      `${(median(got.map((r) => r.othersShare)) * 100).toFixed(0)}% (${got.length}/${of(id).length})`,
      String(of(id).reduce((m, r) => m + DRAIN_FILES - r.ok, 0)),
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
  ];
  const markdown = table(header, rows);
  say();
  say(markdown);
  say();
  if (failures > 0)
    say('!!! DRAIN FILES WERE NOT ANSWERED 200: every file must be stored. This is a bug. !!!');
  return { id: 'drain', markdown, facts: { timeRatio, failures } };
}

/** The drain's mix, for the docs: files, bytes and readings by size. */
export function drainMix(): string {
  const counts = { '1k': 0, '64k': 0, '1m': 0 };
  for (let i = 0; i < DRAIN_FILES; i++) counts[drainSizeOf(i)]++;
  return `${counts['1k']} x ~1 KB, ${counts['64k']} x ~64 KB, ${counts['1m']} x ~1 MB to ${deviceOf(DEVICE)}`;
}
