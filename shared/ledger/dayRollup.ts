/**
 * A device's day rollup: per UTC hour, the readings its settled files hold and how many files hold
 * them. Coverage reads a range's days instead of every file that ever touched them, so its cost
 * follows the range asked, not the table's history. Pure arithmetic; the sweep writes the rows in
 * the same transaction that settles the files (exactly once per file).
 */
import { parseReadingHours, type StoredSummary } from '../readingSummary';

const HOUR_MS = 3_600_000;

export interface HourCounts {
  /** Readings whose time falls in the hour. */
  readings: number;
  /** Files with at least one reading in the hour. */
  files: number;
  /** Files without reading times (a model that declares none, an entry from before summaries), by the hour they arrived. */
  untimed: number;
}

/** One file's (or one rollup's) counts: UTC day `yyyyMMdd` -> hour of the day (0-23) -> counts. */
export type DayHours = Map<string, Map<number, HourCounts>>;

/**
 * A file touching more days than this keeps only its first days in the rollups (the rest would not
 * fit in one transaction with the file's own rows): a file spread over months is a broken clock,
 * and its file-log row says so (`rollupDaysTruncated`).
 */
export const MAX_ROLLUP_DAYS_PER_FILE = 60;

/** What one settled file adds to its device's rollups. */
export function contributionOf(
  summary: StoredSummary | undefined,
  receivedAt: string,
): { days: DayHours; truncated: boolean } {
  const days: DayHours = new Map();
  if (summary?.readingHours) {
    for (const [hour, count] of parseReadingHours(summary.readingHours)) {
      addHour(days, hour, { readings: count, files: 1, untimed: 0 });
    }
  } else if (summary?.readings === undefined) {
    addHour(days, Math.floor(Date.parse(receivedAt) / HOUR_MS), { readings: 0, files: 0, untimed: 1 });
  }
  if (days.size <= MAX_ROLLUP_DAYS_PER_FILE) return { days, truncated: false };
  const kept = [...days.keys()].sort().slice(0, MAX_ROLLUP_DAYS_PER_FILE);
  return { days: new Map(kept.map((day) => [day, days.get(day)!])), truncated: true };
}

/** Adds `more` into `into` (both day -> hour -> counts). */
export function addDays(into: DayHours, more: DayHours): void {
  for (const [day, hours] of more) {
    const target = into.get(day) ?? new Map<number, HourCounts>();
    into.set(day, target);
    for (const [hour, counts] of hours) target.set(hour, sum(target.get(hour), counts));
  }
}

/** `HH:readings:files:untimed` per hour with anything in it, joined by `,`: a rollup row's `hours`. */
export function formatHours(hours: Map<number, HourCounts>): string {
  return [...hours.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hour, c]) => `${String(hour).padStart(2, '0')}:${c.readings}:${c.files}:${c.untimed}`)
    .join(',');
}

export function parseHours(text: string | undefined): Map<number, HourCounts> {
  const hours = new Map<number, HourCounts>();
  if (!text) return hours;
  for (const part of text.split(',')) {
    const [hour, readings, files, untimed] = part.split(':').map(Number);
    hours.set(hour!, { readings: readings!, files: files!, untimed: untimed! });
  }
  return hours;
}

/** `yyyyMMdd` of an hour counted from the epoch. */
export function dayOfHour(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

function addHour(days: DayHours, hour: number, counts: HourCounts): void {
  const day = dayOfHour(hour);
  const hours = days.get(day) ?? new Map<number, HourCounts>();
  days.set(day, hours);
  const hourOfTheDay = ((hour % 24) + 24) % 24;
  hours.set(hourOfTheDay, sum(hours.get(hourOfTheDay), counts));
}

function sum(a: HourCounts | undefined, b: HourCounts): HourCounts {
  return {
    readings: (a?.readings ?? 0) + b.readings,
    files: (a?.files ?? 0) + b.files,
    untimed: (a?.untimed ?? 0) + b.untimed,
  };
}
