import { FileState, type FileLogEntry } from '../ledger/types';
import { parseReadingHours } from '../readingSummary';
import type { HourSpan, Range } from './types';
import { HOUR_MS } from './wholeHours';

/**
 * The stored files that put something into the span: a reading in one of its hours, or (a file
 * without reading times) its arrival in one of them. Only these count as the range's files, and
 * only their clocks are judged.
 */
export function countedFiles(files: readonly FileLogEntry[], { first, end }: HourSpan): FileLogEntry[] {
  const inSpan = (hour: number) => hour >= first && hour < end;
  return files.filter((file) => {
    if (file.state !== FileState.Stored) return false;
    const summary = file.summary;
    if (summary?.readingHours) return parseReadingHours(summary.readingHours).some(([hour]) => inSpan(hour));
    return summary?.readings === undefined && inSpan(Math.floor(Date.parse(file.receivedAt) / HOUR_MS));
  });
}

/** Claims received in the range that the sweep found without a blob. */
export function orphanedIn(files: readonly FileLogEntry[], { from, to }: Range): number {
  return files.filter((f) => {
    const at = Date.parse(f.receivedAt);
    return f.state === FileState.Orphaned && at >= from.getTime() && at < to.getTime();
  }).length;
}
