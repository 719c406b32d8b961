/**
 * How many cases a property test runs: `n`, scaled by FAST_CHECK_RUNS_SCALE when set (0 < scale <= 1).
 * Mutation runs set it: a surviving mutant reruns every case of the properties that cover it, and the
 * date-time properties run tens of thousands (docs/DEVELOPMENT.md#mutation-testing).
 */
export function propertyRuns(n: number): number {
  const scale = Number(process.env.FAST_CHECK_RUNS_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error(`FAST_CHECK_RUNS_SCALE must be in (0, 1], not ${scale}`);
  return Math.max(100, Math.ceil(n * scale));
}
