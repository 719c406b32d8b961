import type { FileLogEntry } from '../ledger/types';
import { type ClockRules, isImplausible, leadSeconds } from './fileClock';
import type { ClockVerdict, Delay } from './types';

/**
 * A device's clock over the range, on evidence waiting cannot produce:
 * - ahead: files whose sentAt or a reading lies in the future of their receipt by more than the
 *   tolerance (nothing is sent from the future);
 * - behind: only when even the freshest file read (the smallest delay, `alsoRead` included: files
 *   received on the same days, i.e. in the same uploads) is late by more than the tolerance, a
 *   delay no file escapes; then every judged file counts, and the smallest delay is reported;
 * - reset: files with times before the floor or more than a day ahead (counted, judged no further);
 * - the delay itself (receipt minus the file's latest time) as min, median and max: connectivity.
 */
export function clockVerdict(
  judged: readonly FileLogEntry[],
  alsoRead: readonly FileLogEntry[],
  { toleranceSeconds, floorMs }: ClockRules,
): ClockVerdict {
  const leadsOf = (files: readonly FileLogEntry[]) =>
    files
      .filter((f) => !isImplausible(f, floorMs))
      .map(leadSeconds)
      .filter((lead): lead is number => lead !== undefined);
  const leads = leadsOf(judged);
  const ahead = leads.filter((lead) => lead > toleranceSeconds);
  const freshest = 0 - largest([...leads, ...leadsOf(alsoRead)]);
  const behind = leads.length > 0 && freshest > toleranceSeconds;
  return {
    aheadFiles: ahead.length,
    behindFiles: behind ? leads.length : 0,
    maxAheadSeconds: ahead.length > 0 ? largest(ahead) : 0,
    maxBehindSeconds: behind ? freshest : 0,
    resetFiles: judged.filter((f) => isImplausible(f, floorMs)).length,
    delay: delayOf(leads.map((lead) => 0 - lead)),
  };
}

/** Min, median (the mean of the middle two of an even count, rounded) and max; null for none. */
export function delayOf(delays: readonly number[]): Delay | null {
  if (delays.length === 0) return null;
  const sorted = [...delays].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
  return { minSeconds: sorted[0]!, medianSeconds: median, maxSeconds: sorted.at(-1)! };
}

/** Math.max without spreading: a year of one file a minute is more arguments than a call takes. */
function largest(values: readonly number[]): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max;
}
