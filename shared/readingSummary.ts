import { timestampMs } from './timestampMs';
import type { ModelProfile } from './validation/modelProfile';
import { forEachValueAt, valuesAt } from './validation/modelProfile';

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
  const tally = new HourTally();
  forEachValueAt(payload, profile.readingTimes, (value) => {
    // The schema has already checked `format: date-time`; anything else is not a reading time.
    if (typeof value === 'string') tally.add(timestampMs(value));
  });
  // The first value the pointer reaches, as it is (null included).
  const sent = profile.sentAt ? valuesAt(payload, profile.sentAt)[0] : undefined;
  const sentAt = typeof sent === 'string' && !Number.isNaN(timestampMs(sent)) ? sent : undefined;
  if (tally.readings === 0) return { readings: 0, sentAt };
  const hours = tally.hours();
  return {
    readings: tally.readings,
    firstReadingAt: new Date(tally.first).toISOString(),
    lastReadingAt: new Date(tally.last).toISOString(),
    readingHours: hours
      .slice(0, MAX_SUMMARY_HOURS)
      .map(([hour, count]) => `${hourLabel(hour)}:${count}`)
      .join(','),
    sentAt,
    ...(hours.length > MAX_SUMMARY_HOURS ? { readingHoursTruncated: true } : {}),
  };
}

const MS_PER_HOUR = 3_600_000;

/**
 * Readings per hour, first and last. Readings mostly come in time order, so a run of readings in
 * one hour is counted in a local and added to the map once, when the hour changes.
 */
export class HourTally {
  readings = 0;
  first = Infinity;
  last = -Infinity;
  private readonly perHour = new Map<number, number>();
  private hour = NaN;
  private inHour = 0;

  /** A reading at `ms` since the epoch; NaN (not a time) is not a reading. */
  add(ms: number): void {
    if (Number.isNaN(ms)) return;
    this.readings++;
    if (ms < this.first) this.first = ms;
    if (ms > this.last) this.last = ms;
    const hour = Math.floor(ms / MS_PER_HOUR);
    if (hour !== this.hour) {
      this.flush();
      this.hour = hour;
    }
    this.inHour++;
  }

  /** (hour from the epoch, readings) in hour order. */
  hours(): Array<[hour: number, count: number]> {
    this.flush();
    return [...this.perHour].sort((a, b) => a[0] - b[0]);
  }

  private flush(): void {
    if (this.inHour === 0) return;
    this.perHour.set(this.hour, (this.perHour.get(this.hour) ?? 0) + this.inHour);
    this.inHour = 0;
  }
}

/** `YYYYMMDDHH` of an hour counted from the epoch. */
export function hourLabel(hour: number): string {
  return new Date(hour * MS_PER_HOUR).toISOString().slice(0, 13).replace(/[-T]/g, '');
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
