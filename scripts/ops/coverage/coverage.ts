/**
 * The coverage arithmetic, pure: from the reading summaries of one device's files to its covered
 * hours, gaps and clock verdict over a range. No storage here (see collect.ts), so it is tested on
 * its own and the report formats (terminal, JSON, HTML) all show the same numbers.
 */
import { parseReadingHours } from '../../../shared/readingSummary';

const HOUR_MS = 3_600_000;

/** What coverage needs of one idempotency entry. */
export interface FileSummary {
  receivedAt: string;
  /** Absent for models without reading times and for entries from before summaries (see --rebuild). */
  readings?: number;
  readingHours?: string;
  clockOffsetSeconds?: number;
}

export interface Range {
  from: Date;
  to: Date;
}

export interface Gap {
  from: string;
  /** Exclusive. */
  to: string;
  hours: number;
}

export interface ClockVerdict {
  aheadFiles: number;
  behindFiles: number;
  maxAheadSeconds: number;
  maxBehindSeconds: number;
}

export interface DeviceCoverage {
  deviceId: string;
  files: number;
  readings: number;
  hoursCovered: number;
  hoursInRange: number;
  gaps: Gap[];
  clock: ClockVerdict;
  /** Readings per whole hour of the range, in order (files count as 1 for models without readings). */
  perHour: number[];
}

/** The whole UTC hours inside [from, to), as hours counted from the epoch: [first, end). */
export function wholeHours({ from, to }: Range): { first: number; end: number } {
  const first = Math.ceil(from.getTime() / HOUR_MS);
  const end = Math.max(first, Math.floor(to.getTime() / HOUR_MS));
  return { first, end };
}

export function coverageOf(
  deviceId: string,
  files: FileSummary[],
  range: Range,
  clockToleranceSeconds: number,
): DeviceCoverage {
  const { first, end } = wholeHours(range);
  const perHour = new Array<number>(end - first).fill(0);
  const clock: ClockVerdict = { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0 };
  let fileCount = 0;
  let readings = 0;
  for (const file of files) {
    let counted = false;
    if (file.readingHours) {
      for (const [hour, count] of parseReadingHours(file.readingHours)) {
        if (hour < first || hour >= end) continue;
        perHour[hour - first]! += count;
        readings += count;
        counted = true;
      }
    } else if (file.readings === undefined) {
      // No reading times (a model that declares none, or an entry from before summaries): the file
      // covers the hour it arrived in.
      const hour = Math.floor(Date.parse(file.receivedAt) / HOUR_MS);
      if (hour >= first && hour < end) {
        perHour[hour - first]! += 1;
        counted = true;
      }
    }
    if (!counted) continue;
    fileCount++;
    const offset = file.clockOffsetSeconds;
    if (offset === undefined) continue;
    if (offset > clockToleranceSeconds) {
      clock.aheadFiles++;
      clock.maxAheadSeconds = Math.max(clock.maxAheadSeconds, offset);
    } else if (offset < -clockToleranceSeconds) {
      clock.behindFiles++;
      clock.maxBehindSeconds = Math.max(clock.maxBehindSeconds, -offset);
    }
  }
  return {
    deviceId,
    files: fileCount,
    readings,
    hoursCovered: perHour.filter((n) => n > 0).length,
    hoursInRange: perHour.length,
    gaps: gapsIn(perHour, first),
    clock,
    perHour,
  };
}

/** Maximal runs of empty hours, longest first (ties in time order). */
export function gapsIn(perHour: number[], firstHour: number): Gap[] {
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
