/**
 * What coverage reads of one device, each a RowKey range of its partition (never a filter on
 * ordinary properties, so the cost follows the range asked, not the table's age):
 *
 * - the day rollups of the range's days;
 * - the markers of claims the sweep has not settled yet, each judged the way the sweep judges it but
 *   read-only: a file posted a second before the report counts once its blob is there, a claim
 *   without a blob never does;
 * - the file log over the range, and over the days on which the files counted in those rollups (or
 *   unsettled files of the range) were received: a buffered file's readings land days before its
 *   receipt, and the other files of those days are the same uploads' freshest files, the evidence
 *   the clock verdict needs.
 */
import { type Claim } from '../idempotencyRecord';
import { addDays, contributionOf, type DayHours } from '../ledger/dayRollup';
import { type FileLogEntry, FileState, type LedgerStore } from '../ledger/types';
import { mapConcurrently } from '../mapConcurrently';
import type { RawBlobStore } from '../storage/types';
import { judge } from '../sweep/judge';
import { mattersTo } from './countedFiles';
import type { CoverageInput, Range } from './types';

const DAY_MS = 86_400_000;

export interface CoverageSources {
  ledger: LedgerStore;
  blobs: Pick<RawBlobStore, 'find'>;
  now: Date;
}

export async function readCoverageInput(
  sources: CoverageSources,
  deviceId: string,
  range: Range,
): Promise<CoverageInput> {
  const { ledger } = sources;
  const rollups = await ledger.rollupRange(
    deviceId,
    dayKey(range.from),
    dayKey(new Date(range.to.getTime() - 1)),
  );
  const days: DayHours = new Map(rollups.map((row) => [row.day, new Map(row.hours)]));
  const { tail, pending } = await unsweptTail(sources, deviceId, days);
  const receiptDays = new Set([
    ...rollups.flatMap((row) => [...row.receivedOn]),
    ...tail.filter((file) => mattersTo(file, range)).map((file) => dayKey(new Date(file.receivedAt))),
  ]);
  const windows = readWindows(range, receiptDays);
  const settled = (await Promise.all(windows.map((w) => ledger.fileLog(deviceId, w.from, w.to)))).flat();
  return {
    deviceId,
    days,
    // The tail as if read with the file log: the same windows.
    files: [...settled, ...tail.filter((file) => windows.some((w) => receivedWithin(file, w)))],
    pending,
  };
}

/** The claims not yet settled whose blob is there, as file-log rows, their readings added to `days`. */
async function unsweptTail(
  { ledger, blobs, now }: CoverageSources,
  deviceId: string,
  days: DayHours,
): Promise<{ tail: FileLogEntry[]; pending: number }> {
  const markers = await ledger.markers(deviceId);
  const context = { ledger, blobs, now, orphanAfterMs: Infinity };
  const verdicts = await mapConcurrently(markers, 8, (marker) => judge(marker, context));
  const tail: FileLogEntry[] = [];
  for (const verdict of verdicts) {
    if (verdict.kind !== 'stored') continue;
    addDays(days, contributionOf(verdict.claim.summary, verdict.claim.receivedAt).days);
    tail.push(unsweptEntry(verdict.claim, now));
  }
  return { tail, pending: verdicts.filter((v) => v.kind === 'pending').length };
}

/** `yyyyMMdd` (UTC). */
function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10).replace(/-/g, '');
}

/** The range, and each receipt day whole, merged into disjoint windows. */
function readWindows(range: Range, receiptDays: Set<string>): Range[] {
  const windows = [range, ...[...receiptDays].map(dayWindow)].sort(
    (a, b) => a.from.getTime() - b.from.getTime(),
  );
  const merged: Range[] = [];
  for (const window of windows) {
    const last = merged.at(-1);
    if (last && window.from <= last.to) last.to = new Date(Math.max(last.to.getTime(), window.to.getTime()));
    else merged.push({ from: window.from, to: window.to });
  }
  return merged;
}

function dayWindow(day: string): Range {
  const from = new Date(
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))),
  );
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

function receivedWithin(file: FileLogEntry, { from, to }: Range): boolean {
  const received = Date.parse(file.receivedAt);
  return received >= from.getTime() && received < to.getTime();
}

function unsweptEntry(claim: Claim, now: Date): FileLogEntry {
  const { deviceId, key, receivedAt, blobName, sha256, sizeBytes, schemaId, summary } = claim;
  return {
    deviceId,
    key,
    receivedAt,
    blobName,
    sha256,
    sizeBytes,
    schemaId,
    state: FileState.Stored,
    settledAt: now.toISOString(),
    ...(summary ? { summary } : {}),
  };
}
