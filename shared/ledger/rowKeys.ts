/**
 * The rows beside the claims in each device's partition of the idempotency table (PartitionKey =
 * device id). Claims are keyed by the idempotency key (toRowKey: only [A-Za-z0-9._-] and `~XX`
 * escapes), so no claim's RowKey can start with `~~`; these rows do, and each kind sorts as one
 * contiguous run that a reader asks for as a RowKey range, never by filtering ordinary properties:
 *
 *   ~~p~{receivedAt}~{shortKey}  a claim not yet settled by the sweep (written in the claim's own
 *                                insert; deleted when the sweep settles it)
 *   ~~f~{receivedAt}~{shortKey}  the file log: a settled file, by the time it was received
 *   ~~d~{yyyyMMdd}               a day's rollup: readings and files per UTC hour of that day
 */
const MARKER = '~~p~';
const FILE = '~~f~';
const DAY = '~~d~';

/** `2026-12-06T14:07:16.123Z` -> `20261206T140716123Z`: fixed width, so text order is time order. */
export function compactTime(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:.]/g, '');
}

export function markerRowKey(receivedAt: string, shortKey: string): string {
  return `${MARKER}${compactTime(receivedAt)}~${shortKey}`;
}

export function fileRowKey(receivedAt: string, shortKey: string): string {
  return `${FILE}${compactTime(receivedAt)}~${shortKey}`;
}

/** `yyyyMMdd` of a UTC day. */
export function dayRowKey(day: string): string {
  return `${DAY}${day}`;
}

/** A half-open RowKey range [ge, lt). */
export interface RowKeyRange {
  ge: string;
  lt: string;
}

/** Every unsettled claim's marker. */
export function markerRange(): RowKeyRange {
  // After the prefix come digits, all below `~`.
  return { ge: MARKER, lt: `${MARKER}~` };
}

/** File-log rows of files received in [from, to). */
export function fileRange(from: Date, to: Date): RowKeyRange {
  return { ge: FILE + compactTime(from.toISOString()), lt: FILE + compactTime(to.toISOString()) };
}

/** Day rollups of the UTC days [fromDay, toDay] (inclusive, `yyyyMMdd`). */
export function dayRange(fromDay: string, toDay: string): RowKeyRange {
  return { ge: DAY + fromDay, lt: `${DAY}${toDay}~` };
}

export function isMarkerRowKey(rowKey: string): boolean {
  return rowKey.startsWith(MARKER);
}

export function isLedgerRowKey(rowKey: string): boolean {
  return rowKey.startsWith('~~');
}

export function dayOfRowKey(rowKey: string): string {
  return rowKey.slice(DAY.length);
}
