/**
 * Pure arithmetic of the bench: medians, percentiles, ratios, /proc parsing and the memory fit.
 * No I/O here, so test/unit/benchStats.test.ts can pin every rule.
 */

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** a / b, NaN when either side is missing or b is not positive. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN;
}

/**
 * The median of per-round ratios of `runs` to the `references` of the same round, taken from the
 * rounds where both were calm when there are any (all paired rounds otherwise).
 */
export function pairedRatio<T extends { round: number }>(
  runs: readonly T[],
  references: readonly T[],
  isCalm: (run: T) => boolean,
  pick: (run: T) => number,
): number {
  const pairs = runs.flatMap((run) => {
    const reference = references.find((r) => r.round === run.round);
    return reference ? [[run, reference] as const] : [];
  });
  const calm = pairs.filter(([a, b]) => isCalm(a) && isCalm(b));
  return median((calm.length ? calm : pairs).map(([a, b]) => ratio(pick(a), pick(b))));
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : '-';
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  return ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

export function fmtCount(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
}

export const MiB = 1024 * 1024;

export function fmtMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)} MiB` : '-';
}

export function fmtBytes(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB ? 1 : 0)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

/** VmRSS / VmHWM (resident now / peak resident) in bytes, from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): { rssBytes: number; peakBytes: number } {
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : NaN;
  };
  return { rssBytes: kib('VmRSS'), peakBytes: kib('VmHWM') };
}

/**
 * User + system CPU time in clock ticks, from the text of /proc/<pid>/stat. The command name (field
 * 2) is in parentheses and may hold spaces, so the fields are counted after its closing parenthesis:
 * utime and stime are fields 14 and 15.
 */
export function parseProcStatTicks(text: string): number {
  const rest = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  return Number(rest[11]) + Number(rest[12]);
}

/** Busy and total clock ticks of the whole machine, from the first line of /proc/stat. */
export function parseMachineTicks(text: string): { busy: number; total: number } {
  const fields = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/**
 * How many requests of `perRequestBytes` fit next to the idle process in an instance of
 * `instanceMiB` (a Flex Consumption instance's memory size): floor((instance - baseline) / cost).
 */
export function concurrentFit(instanceMiB: number, baselineBytes: number, perRequestBytes: number): number {
  if (!(perRequestBytes > 0) || !Number.isFinite(baselineBytes)) return NaN;
  return Math.max(0, Math.floor((instanceMiB * MiB - baselineBytes) / perRequestBytes));
}

/** The verdict of one target: `>=` or `<=` against a bound. */
export function meets(value: number, op: '>=' | '<=', bound: number): boolean | undefined {
  if (!Number.isFinite(value)) return undefined;
  return op === '>=' ? value >= bound : value <= bound;
}
