import { FileState, type FileLogEntry } from '../ledger/types';
import { parseReadingHours } from '../readingSummary';
import type { HourSpan, Range } from './types';
import { HOUR_MS } from './wholeHours';

const within = (at: number, { from, to }: Range) => at >= from.getTime() && at < to.getTime();

/** Received in the range, or holding readings in it: the files whose clock the range judges. */
export function mattersTo(file: FileLogEntry, range: Range): boolean {
  if (within(Date.parse(file.receivedAt), range)) return true;
  const first = Date.parse(file.summary?.firstReadingAt ?? '');
  const last = Date.parse(file.summary?.lastReadingAt ?? '');
  return first < range.to.getTime() && last >= range.from.getTime();
}

/**
 * The stored files that put something into the span: a reading in one of its hours, or (a file
 * without reading times) its arrival in one of them.
 */
export function countedFiles(files: readonly FileLogEntry[], { first, end }: HourSpan): FileLogEntry[] {
  const inSpan = (hour: number) => hour >= first && hour < end;
  return files.filter((file) => {
    if (file.state !== FileState.Stored) return false;
    const summary = file.summary;
    if (summary?.readingHours) return parseReadingHours(summary.readingHours).some(([hour]) => inSpan(hour));
    return summary?.readings === undefined && receivedIn(file, { first, end });
  });
}

/** Per hour of the span, how many of these files were received in it. */
export function receivedPerHour(files: readonly FileLogEntry[], { first, end }: HourSpan): number[] {
  const perHour = new Array<number>(end - first).fill(0);
  for (const file of files) {
    const hour = receiptHour(file);
    if (hour >= first && hour < end) perHour[hour - first]!++;
  }
  return perHour;
}

/** Claims received in the range that the sweep found without a blob. */
export function orphanedIn(files: readonly FileLogEntry[], range: Range): number {
  return files.filter((f) => f.state === FileState.Orphaned && within(Date.parse(f.receivedAt), range))
    .length;
}

/** Received in one of the span's hours. */
export function receivedIn(file: FileLogEntry, { first, end }: HourSpan): boolean {
  const hour = receiptHour(file);
  return hour >= first && hour < end;
}

function receiptHour(file: FileLogEntry): number {
  return Math.floor(Date.parse(file.receivedAt) / HOUR_MS);
}
