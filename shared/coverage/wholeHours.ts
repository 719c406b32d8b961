import type { HourSpan, Range } from './types';

export const HOUR_MS = 3_600_000;

/** The whole UTC hours inside [from, to), as hours counted from the epoch: a partial hour at either end is out. */
export function wholeHours({ from, to }: Range): HourSpan {
  const first = Math.ceil(from.getTime() / HOUR_MS);
  const end = Math.max(first, Math.floor(to.getTime() / HOUR_MS));
  return { first, end };
}
