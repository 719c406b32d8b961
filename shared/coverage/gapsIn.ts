import type { Gap } from './types';
import { HOUR_MS } from './wholeHours';

/** Maximal runs of empty hours, longest first (ties in time order). */
export function gapsIn(perHour: readonly number[], firstHour: number): Gap[] {
  const gaps: Gap[] = [];
  let start = -1;
  for (let i = 0; i <= perHour.length; i++) {
    const empty = i < perHour.length && perHour[i] === 0;
    if (empty && start < 0) start = i;
    if (!empty && start >= 0) {
      gaps.push({
        from: new Date((firstHour + start) * HOUR_MS).toISOString(),
        to: new Date((firstHour + i) * HOUR_MS).toISOString(),
        hours: i - start,
      });
      start = -1;
    }
  }
  return gaps.sort((a, b) => b.hours - a.hours || a.from.localeCompare(b.from));
}
