import { parseReadingHours } from '../readingSummary';
import type { FileSummary, HourSpan } from './types';
import { HOUR_MS } from './wholeHours';

export interface HourlyCounts {
  /** Per hour of the span, in order: readings, or files for files without reading times. */
  perHour: number[];
  /** Readings inside the span. */
  readings: number;
  /** The files that put anything into the span (only these count, and only their clocks are judged). */
  counted: FileSummary[];
}

/**
 * Buckets the files' readings into the span's hours. A file without reading times (a model that
 * declares none, or an entry from before summaries) covers the hour it arrived in, as one file.
 */
export function readingsPerHour(files: readonly FileSummary[], { first, end }: HourSpan): HourlyCounts {
  const perHour = new Array<number>(end - first).fill(0);
  const counted: FileSummary[] = [];
  let readings = 0;
  for (const file of files) {
    let inSpan = false;
    if (file.readingHours) {
      for (const [hour, count] of parseReadingHours(file.readingHours)) {
        if (hour < first || hour >= end) continue;
        perHour[hour - first]! += count;
        readings += count;
        inSpan = true;
      }
    } else if (file.readings === undefined) {
      const hour = Math.floor(Date.parse(file.receivedAt) / HOUR_MS);
      if (hour >= first && hour < end) {
        perHour[hour - first]! += 1;
        inSpan = true;
      }
    }
    if (inSpan) counted.push(file);
  }
  return { perHour, readings, counted };
}
