import type { ModelProfile } from './validation/modelProfile';
import { valuesAt } from './validation/modelProfile';

/**
 * What a file holds in time, computed once at ingest from the payload already parsed for
 * validation, and stored with the idempotency entry (same insert) and the blob's metadata: the
 * coverage report reads these instead of the blobs.
 */
export interface ReadingSummary {
  readings: number;
  firstReadingAt?: string;
  lastReadingAt?: string;
  /** Readings per UTC hour, `YYYYMMDDHH:count` joined by `,`, in hour order. */
  readingHours?: string;
  /** The device's own send time, when the model declares one and the file has it. */
  sentAt?: string;
}

/**
 * Table Storage caps a string property at 32K characters; a file spreading its readings over more
 * hours than this (over three months of hourly readings in one file) keeps its first hours only,
 * and `readingHoursTruncated` says so.
 */
export const MAX_SUMMARY_HOURS = 2_000;

/** Undefined for models that declare no reading times (`default`): such files count as files. */
export function summarizeReadings(
  profile: ModelProfile | undefined,
  payload: unknown,
): (ReadingSummary & { readingHoursTruncated?: boolean }) | undefined {
  if (!profile?.readingTimes) return undefined;
  const perHour = new Map<number, number>();
  let first = Infinity;
  let last = -Infinity;
  let readings = 0;
  for (const value of valuesAt(payload, profile.readingTimes)) {
    // The schema has already checked `format: date-time`; anything else is not a reading time.
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) continue;
    readings++;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
    const hour = Math.floor(ms / 3_600_000);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  const sent = profile.sentAt ? valuesAt(payload, profile.sentAt)[0] : undefined;
  const sentAt = typeof sent === 'string' && !Number.isNaN(Date.parse(sent)) ? sent : undefined;
  if (readings === 0) return { readings, sentAt };
  const hours = [...perHour.keys()].sort((a, b) => a - b);
  return {
    readings,
    firstReadingAt: new Date(first).toISOString(),
    lastReadingAt: new Date(last).toISOString(),
    readingHours: hours
      .slice(0, MAX_SUMMARY_HOURS)
      .map((hour) => `${hourLabel(hour)}:${perHour.get(hour)}`)
      .join(','),
    sentAt,
    ...(hours.length > MAX_SUMMARY_HOURS ? { readingHoursTruncated: true } : {}),
  };
}

/** `YYYYMMDDHH` of an hour counted from the epoch. */
export function hourLabel(hour: number): string {
  return new Date(hour * 3_600_000).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** The hour (counted from the epoch) of a `YYYYMMDDHH` label. */
export function hourOfLabel(label: string): number {
  const iso = `${label.slice(0, 4)}-${label.slice(4, 6)}-${label.slice(6, 8)}T${label.slice(8, 10)}:00:00Z`;
  return Date.parse(iso) / 3_600_000;
}

/** Parses `readingHours` back into (hour from the epoch, count) pairs. */
export function parseReadingHours(text: string | undefined): Array<[hour: number, count: number]> {
  if (!text) return [];
  return text.split(',').map((pair) => {
    const [label, count] = pair.split(':');
    return [hourOfLabel(label!), Number(count)];
  });
}

/** sentAt - receivedAt, in whole seconds: positive when the device's clock runs ahead. */
export function clockOffsetSeconds(sentAt: string | undefined, receivedAt: Date): number | undefined {
  return sentAt === undefined ? undefined : Math.round((Date.parse(sentAt) - receivedAt.getTime()) / 1000);
}

/** The summary as stored: properties of the idempotency entry, written in the entry's one insert. */
export interface StoredSummary extends Partial<ReadingSummary> {
  /** Present on every entry written with summaries (`coverage --rebuild` skips those). */
  summaryVersion: 1;
  readingHoursTruncated?: boolean;
  clockOffsetSeconds?: number;
}

/** Completes a file's summary once its receive time is known. */
export function storedSummary(
  summary: ReturnType<typeof summarizeReadings>,
  receivedAt: Date,
): StoredSummary {
  const offset = clockOffsetSeconds(summary?.sentAt, receivedAt);
  return { summaryVersion: 1, ...summary, ...(offset === undefined ? {} : { clockOffsetSeconds: offset }) };
}

/** For `coverage --rebuild`: the same fields an entry written today carries. */
export function summaryEntityFields(
  profile: ModelProfile | undefined,
  payload: unknown,
  receivedAt: Date,
): StoredSummary {
  return storedSummary(summarizeReadings(profile, payload), receivedAt);
}

/**
 * The summary's blob metadata (the vendor sees it without the table). Blob metadata is limited to
 * 8 KB in all, so the per-hour counts stay in the table.
 */
export function summaryMetadata(summary: StoredSummary | undefined): Record<string, string> {
  if (!summary || summary.readings === undefined) return {};
  const metadata: Record<string, string> = { readings: String(summary.readings) };
  if (summary.firstReadingAt) metadata.firstreadingat = summary.firstReadingAt;
  if (summary.lastReadingAt) metadata.lastreadingat = summary.lastReadingAt;
  if (summary.sentAt) metadata.sentat = summary.sentAt;
  if (summary.clockOffsetSeconds !== undefined)
    metadata.clockoffsetseconds = String(summary.clockOffsetSeconds);
  return metadata;
}
