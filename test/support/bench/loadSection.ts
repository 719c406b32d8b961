/**
 * HTTP load at the storage floor. Every variant of every round gets its own fresh in-memory Azurite
 * and its own server process (Azurite slows down as it fills, so variants run one after another
 * against one Azurite would measure its fill level), and rounds are interleaved: for each round,
 * every variant once. Figures are medians over rounds; each ratio is taken within a round (the
 * variant against the floor of the same size and concurrency measured minutes apart at most) and
 * then the median of those is reported.
 */
import { type LoadResult, failedCount, runLoad } from './load';
import { waitForCalm } from './procfs';
import { type BenchRequest, BodyTemplate, GzipBodies, type BodySource, uploadOf } from './payloads';
import { type SectionReport, say, table } from './report';
import {
  type FloorOrder,
  type ServerUnderTest,
  type Target,
  freshStorage,
  startDevHost,
  withServer,
} from './servers';
import { MiB, fmtCount, fmtRatio, median, pairedRatio } from './stats';

export interface LoadSettings {
  quick: boolean;
  rounds: number;
  warmupSeconds: number;
  seconds: number;
  /** Files per half of the duplicate run (2 x this many are stored first). */
  duplicateFiles: number;
  /** A directory holding the app as it was (built), measured next to this one (`--baseline`). */
  baseline?: string;
  /** Only the variants whose id contains one of these (`--variants`); all when empty. */
  only?: readonly string[];
  /** How long, in all, the section may wait for other processes to quieten down before its runs. */
  calmWaitSeconds: number;
  workDir: string;
}

const SIZES = {
  '1k': { label: '~1 KB', bytes: 1024, gzip: false },
  '64k': { label: '~64 KB', bytes: 64 * 1024, gzip: false },
  '1m': { label: '~1 MB', bytes: MiB, gzip: false },
  gz64k: { label: '~64 KB gzip', bytes: 64 * 1024, gzip: true },
} as const;
type SizeId = keyof typeof SIZES;

interface Variant {
  id: string;
  label: string;
  target: Target;
  size: SizeId;
  connections: number;
}

function variant(target: Target, size: SizeId, connections: number): Variant {
  const name =
    target.kind === 'floor'
      ? `floor-${target.order}`
      : `ingest-${target.before ? 'before-' : ''}auth-${target.auth ? 'on' : 'off'}`;
  const label =
    target.kind === 'floor'
      ? FLOOR_LABELS[target.order]
      : `ingest${target.before ? ' before (baseline)' : ''}, new files, auth ${target.auth ? 'on' : 'off'}`;
  return { id: `${name}/${size}/c${connections}`, label, target, size, connections };
}

const FLOOR_LABELS: Record<FloorOrder, string> = {
  parallel: 'floor, both writes at once',
  serial: 'floor, entry then blob',
  checked: 'floor + JSON.parse, SHA-256, MD5; entry then blob',
};
const floorP: Target = { kind: 'floor', order: 'parallel' };
const floorS: Target = { kind: 'floor', order: 'serial' };
/** The least any ingest that validates and keeps our guarantees does (floorServer.ts): its ceiling. */
const floorC: Target = { kind: 'floor', order: 'checked' };
const authOn: Target = { kind: 'ingest', auth: true };
const authOff: Target = { kind: 'ingest', auth: false };

/**
 * Every variant, or in quick mode the gate's two; `only` keeps those whose id contains one of its
 * terms. With a baseline, each auth-on ingest variant runs a second time against the baseline's app.
 */
export function loadVariants(quick: boolean, only: readonly string[] = [], baseline = false): Variant[] {
  if (quick) return [variant(floorP, '1k', 16), variant(authOn, '1k', 16)];
  const all = allVariants().flatMap((v) =>
    baseline && v.target.kind === 'ingest' && v.target.auth
      ? [v, variant({ ...v.target, before: true }, v.size, v.connections)]
      : [v],
  );
  // `${id}/`: a term ending in `/` ends where the id does (`/1m/c1/` is not `/1m/c16`).
  return only.length ? all.filter((v) => only.some((term) => `${v.id}/`.includes(term))) : all;
}

/** The id of a variant's twin measured against the baseline's app. */
export const beforeId = (id: string) => id.replace(/^ingest-/, 'ingest-before-');

/**
 * The run order within a round: a variant and its baseline twin swap places every other round.
 * Run in a fixed order, the first of the two came out slower at 64 connections in one round after
 * another (0.92x, twice), and first by as much in a run of the two alone: the order, not the app.
 */
export function inRoundOrder<T extends { id: string }>(
  variants: readonly T[],
  round: number,
  twinOf: (id: string) => string = beforeId,
): T[] {
  const ordered = [...variants];
  if (round % 2 === 1) return ordered;
  for (let i = 0; i + 1 < ordered.length; i++) {
    if (ordered[i + 1]!.id === twinOf(ordered[i]!.id)) {
      [ordered[i], ordered[i + 1]] = [ordered[i + 1]!, ordered[i]!];
      i++;
    }
  }
  return ordered;
}

function allVariants(): Variant[] {
  return [
    ...[1, 16, 64].flatMap((c) => [
      variant(floorP, '1k', c),
      variant(floorS, '1k', c),
      variant(authOn, '1k', c),
      ...(c === 16 ? [variant(authOff, '1k', c)] : []),
    ]),
    ...(['64k', '1m', 'gz64k'] as const).flatMap((size) => [
      variant(floorP, size, 16),
      ...(size === 'gz64k' ? [] : [variant(floorC, size, 16)]),
      variant(authOn, size, 16),
    ]),
    // What one gateway, and a backfill at its default concurrency, see with large files.
    ...[1, 4].flatMap((c) => [variant(floorP, '1m', c), variant(floorC, '1m', c), variant(authOn, '1m', c)]),
  ];
}

interface Sample extends LoadResult {
  round: number;
  /** Non-2xx or failed requests during the warm-up. */
  warmupFailed: number;
  outcomes: Record<string, number>;
}

/** What the targets and the quick gate read. */
export interface LoadFacts {
  rpsRatio(id: string, reference?: 'parallel' | 'serial'): number;
  p99Ratio(id: string, reference?: 'parallel' | 'serial'): number;
  /** Throughput against the same variant on the baseline's app (`--baseline`), within rounds. */
  rpsToBefore(id: string): number;
  rps(id: string): number;
  newFileFailures: number;
}

/**
 * Other work on this machine competes with every measurement. Before each run the bench waits (up to
 * calmWaitSeconds in all) until other processes use less than CALM of the machine; a run during which
 * they used more than NOISY is repeated once, and the calmer of the two kept. Figures and ratios are
 * then taken from the calm rounds only (all rounds when none was calm).
 */
export const CALM = 0.1;
export const NOISY = 0.25;

interface Measured {
  /** The share of the machine other processes took during the run. */
  othersShare: number;
}

export const isCalm = (run: Measured): boolean => run.othersShare <= NOISY;

/** Runs `measure`; a run that other processes disturbed is measured once more and the calmer kept. */
export async function calmerRun<T extends Measured>(measure: () => Promise<T>): Promise<T> {
  const first = await measure();
  if (isCalm(first)) return first;
  say(`   (other processes used ${(first.othersShare * 100).toFixed(0)}% of the machine: repeating)`);
  const again = await measure();
  return again.othersShare < first.othersShare ? again : first;
}

/** The runs a figure is taken from: the calm ones, or all of them when none was calm. */
export function calmRuns<T extends Measured>(runs: readonly T[]): T[] {
  return runs.some(isCalm) ? runs.filter(isCalm) : [...runs];
}

const DUP_SAME = 'duplicates-same-instance/1k/c16';
const DUP_FRESH = 'duplicates-fresh-instance/1k/c16';

export async function loadSection(settings: LoadSettings): Promise<SectionReport & { facts: LoadFacts }> {
  const variants = loadVariants(settings.quick, settings.only, settings.baseline !== undefined);
  const only = settings.only ?? [];
  const duplicates =
    !settings.quick && (only.length === 0 || only.some((t) => DUP_SAME.includes(t) || DUP_FRESH.includes(t)));
  const templates = new Map<SizeId, BodyTemplate>();
  const bodiesOf = (size: SizeId): BodySource => {
    const spec = SIZES[size];
    const plain = templates.get(size) ?? new BodyTemplate(spec.bytes);
    templates.set(size, plain);
    return plain;
  };
  const gzip = new GzipBodies(new BodyTemplate(SIZES.gz64k.bytes));
  if (variants.some((v) => SIZES[v.size].gzip)) gzip.prepare(4000);

  const samples = new Map<string, Sample[]>();
  const keep = (id: string, sample: Sample) => samples.set(id, [...(samples.get(id) ?? []), sample]);
  say(
    `HTTP load: ${variants.length + (duplicates ? 1 : 0)} variants x ${settings.rounds} rounds, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s each, fresh Azurite per variant and round`,
  );
  for (let round = 1; round <= settings.rounds; round++) {
    for (const v of inRoundOrder(variants, round)) {
      const source = SIZES[v.size].gzip ? gzip : bodiesOf(v.size);
      const measure = () => measureNewFiles(v, source, SIZES[v.size].gzip, settings, round);
      // Quick mode's gate is coarse and its time short: no repeats there.
      const sample = settings.quick ? await measure() : await calmerRun(measure);
      keep(v.id, sample);
      progress(round, settings.rounds, v.label, v.size, v.connections, sample);
    }
    if (duplicates) {
      const { same, fresh } = await measureDuplicates(bodiesOf('1k'), settings, round);
      keep(DUP_SAME, same);
      keep(DUP_FRESH, fresh);
      progress(round, settings.rounds, 'resend, same instance', '1k', 16, same);
      progress(round, settings.rounds, 'resend, fresh instance', '1k', 16, fresh);
    }
  }

  const roundsOf = (id: string) => samples.get(id) ?? [];
  const usedRounds = (id: string) => calmRuns(roundsOf(id));
  const referenceId = (id: string, order: 'parallel' | 'serial') => {
    const [, size, c] = id.split('/');
    return `floor-${order}/${size}/${c}`;
  };
  const perRound = (id: string, order: 'parallel' | 'serial', pick: (s: Sample) => number) =>
    pairedRatio(roundsOf(id), roundsOf(referenceId(id, order)), isCalm, pick);
  const facts: LoadFacts = {
    rps: (id) => median(usedRounds(id).map((s) => s.rps)),
    rpsRatio: (id, order = 'parallel') =>
      samples.has(referenceId(id, order)) ? perRound(id, order, (s) => s.rps) : NaN,
    p99Ratio: (id, order = 'parallel') =>
      samples.has(referenceId(id, order)) ? perRound(id, order, (s) => s.p99) : NaN,
    rpsToBefore: (id) =>
      samples.has(beforeId(id)) && id !== beforeId(id)
        ? pairedRatio(roundsOf(id), roundsOf(beforeId(id)), isCalm, (s) => s.rps)
        : NaN,
    newFileFailures: variants.reduce(
      (n, v) => n + roundsOf(v.id).reduce((m, s) => m + failedCount(s) + s.warmupFailed, 0),
      0,
    ),
  };

  const rows: string[][] = [];
  const ids = [...variants.map((v) => v.id), ...(duplicates ? [DUP_SAME, DUP_FRESH] : [])];
  const labels = new Map(variants.map((v) => [v.id, v.label]));
  labels.set(DUP_SAME, 'resend of a stored file, to the instance that stored it');
  labels.set(DUP_FRESH, 'resend of a stored file, to a fresh instance');
  for (const id of ids) {
    const got = usedRounds(id);
    const [, size, c] = id.split('/') as [string, SizeId, string];
    const isFloorP = id.startsWith('floor-parallel');
    const cpu = (pick: (s: Sample) => number) => median(got.map(pick)).toFixed(2);
    const failures = roundsOf(id).reduce((n, s) => n + failedCount(s) + s.warmupFailed, 0);
    rows.push([
      labels.get(id)!,
      SIZES[size].label,
      c.slice(1),
      fmtCount(facts.rps(id)),
      isFloorP ? '1 (floor)' : fmtRatio(facts.rpsRatio(id)),
      id.startsWith('floor') ? '' : fmtRatio(facts.rpsRatio(id, 'serial')),
      median(got.map((s) => s.p50)).toFixed(1),
      median(got.map((s) => s.p99)).toFixed(1),
      isFloorP ? '1 (floor)' : fmtRatio(facts.p99Ratio(id)),
      `${cpu((s) => s.cpuPerRequest.server)} / ${cpu((s) => s.cpuPerRequest.azurite)} / ${cpu((s) => s.cpuPerRequest.client)}`,
      `${(median(got.map((s) => s.othersShare)) * 100).toFixed(0)}% (${got.length}/${roundsOf(id).length})`,
      failures === 0 ? '0' : `**${failures}**`,
      ...(settings.baseline ? [fmtRatio(facts.rpsToBefore(id))] : []),
    ]);
  }
  const header = [
    'server, variant',
    'body',
    'conn.',
    'req/s',
    '÷ floor',
    '÷ serial floor',
    'p50 ms',
    'p99 ms',
    'p99 ÷ floor',
    'CPU ms/req: server / Azurite / load gen.',
    'other processes (rounds used)',
    'non-2xx',
    ...(settings.baseline ? ['req/s ÷ before (same rounds)'] : []),
  ];
  const markdown = table(header, rows);
  say();
  say(markdown);
  say();
  if (facts.newFileFailures > 0) {
    say(
      '!!! NEW-FILE RUNS GOT NON-2XX ANSWERS OR ERRORS: every new file must be answered 200. This is a bug. !!!',
    );
    for (const id of variants.map((v) => v.id))
      for (const s of roundsOf(id))
        if (failedCount(s) + s.warmupFailed > 0)
          say(
            `!!!   ${id} round ${s.round}: ${JSON.stringify(s.failed)}, errors ${s.errors}, warm-up ${s.warmupFailed}`,
          );
  }
  return { id: 'load', markdown, facts };
}

const calmSpent = new WeakMap<LoadSettings, number>();

/** Waits for other processes to quieten down, within the section's budget (up to 20 s a run). */
async function calm(settings: LoadSettings): Promise<void> {
  const spent = calmSpent.get(settings) ?? 0;
  const budget = Math.min(20_000, settings.calmWaitSeconds * 1000 - spent);
  const started = Date.now();
  if (budget > 0) await waitForCalm(CALM, budget);
  calmSpent.set(settings, spent + Date.now() - started);
}

function progress(round: number, rounds: number, label: string, size: SizeId, c: number, s: Sample): void {
  const failures = failedCount(s) + s.warmupFailed;
  say(
    `   round ${round}/${rounds}  ${label.padEnd(30)} ${SIZES[size].label.padEnd(12)} c=${String(c).padEnd(3)}` +
      `${s.rps.toFixed(0).padStart(6)} req/s  p99 ${s.p99.toFixed(1).padStart(7)} ms` +
      `  CPU/req ${s.cpuPerRequest.server.toFixed(2)} + Azurite ${s.cpuPerRequest.azurite.toFixed(2)} ms` +
      `  others ${(s.othersShare * 100).toFixed(0)}%` +
      (failures ? `  !!! ${failures} non-2xx/errors ${JSON.stringify(s.failed)}` : ''),
  );
}

async function measureNewFiles(
  v: Variant,
  bodies: BodySource,
  gzip: boolean,
  settings: LoadSettings,
  round: number,
): Promise<Sample> {
  return withServer(v.target, settings, async (server, storage) => {
    let seq = 0;
    const next = (): BenchRequest => uploadOf(seq++, bodies, storage.keys, gzip);
    const load = { url: server.url, connections: v.connections, next };
    await calm(settings);
    const warm = await runLoad({ ...load, seconds: settings.warmupSeconds });
    const result = await runLoad({
      ...load,
      seconds: settings.seconds,
      pids: { server: server.pid, azurite: storage.azurite.process.pid },
    });
    const outcomes = server.outcomes();
    if (outcomes.duplicate)
      say(`!!! ${v.id}: ${outcomes.duplicate} new files were answered "duplicate": bodies are not unique`);
    return { ...result, round, warmupFailed: failedCount(warm), outcomes };
  });
}

/**
 * Stores 2N files, then resends N of them (the later half, the most recently stored) to the instance
 * that stored them, restarts the dev host on the same Azurite and resends the other N (untouched by
 * the first half's resends) to the fresh instance. Each file is resent once; the first tenth of each
 * half is the warm-up.
 */
async function measureDuplicates(
  bodies: BodySource,
  settings: LoadSettings,
  round: number,
): Promise<{ same: Sample; fresh: Sample }> {
  const n = settings.duplicateFiles;
  const connections = 16;
  const storage = await freshStorage();
  try {
    const pids = (server: ServerUnderTest) => ({ server: server.pid, azurite: storage.azurite.process.pid });
    const resend = async (server: ServerUnderTest, files: number[]): Promise<Sample> => {
      let i = 0;
      const next = () => uploadOf(files[i++ % files.length]!, bodies, storage.keys);
      const warmup = Math.floor(files.length / 10);
      await calm(settings);
      const warm = await runLoad({ url: server.url, connections, amount: warmup, next });
      const before = server.outcomes().stored ?? 0;
      const result = await runLoad({
        url: server.url,
        connections,
        // Requests autocannon builds ahead and never sends must not wrap around to a file resent already.
        amount: files.length - warmup - 3 * connections,
        next,
        pids: pids(server),
      });
      const outcomes = server.outcomes();
      if ((outcomes.stored ?? 0) !== before)
        say(`!!! duplicates: ${(outcomes.stored ?? 0) - before} resends were answered "stored"`);
      return { ...result, round, warmupFailed: failedCount(warm), outcomes };
    };

    const first = await startDevHost(storage, { auth: true, workDir: settings.workDir });
    let same: Sample;
    try {
      let seq = 0;
      const stored = await runLoad({
        url: first.url,
        connections,
        amount: 2 * n,
        next: () => uploadOf(seq++, bodies, storage.keys),
      });
      if (failedCount(stored) > 0 || (first.outcomes().stored ?? 0) < 2 * n)
        say(`!!! duplicates: storing the ${2 * n} files first failed: ${JSON.stringify(stored.failed)}`);
      same = await resend(
        first,
        Array.from({ length: n }, (_, i) => n + i),
      );
    } finally {
      await first.stop();
    }
    const second = await startDevHost(storage, { auth: true, workDir: settings.workDir });
    try {
      const fresh = await resend(
        second,
        Array.from({ length: n }, (_, i) => i),
      );
      return { same, fresh };
    } finally {
      await second.stop();
    }
  } finally {
    await storage.azurite.stop();
  }
}

export const DUPLICATE_IDS = { same: DUP_SAME, fresh: DUP_FRESH };
