import { type DayHours, dayOfHour } from '../ledger/dayRollup';
import type { HourSpan } from './types';

export interface HourlyCounts {
  /** Per hour of the span, in order: readings, plus files without reading times that arrived in it. */
  perHour: number[];
  /** Readings inside the span. */
  readings: number;
}

/** The span's hours read off the day rollups. */
export function readingsPerHour(days: DayHours, { first, end }: HourSpan): HourlyCounts {
  const perHour = new Array<number>(end - first).fill(0);
  let readings = 0;
  for (let hour = first; hour < end; hour++) {
    const counts = days.get(dayOfHour(hour))?.get(((hour % 24) + 24) % 24);
    if (!counts) continue;
    perHour[hour - first] = counts.readings + counts.untimed;
    readings += counts.readings;
  }
  return { perHour, readings };
}
