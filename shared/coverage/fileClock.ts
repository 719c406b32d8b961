/**
 * What one file says about its device's clock: the device's own times in it (its `sentAt`, its
 * first and last reading) against the time we received it. A gateway sends the same bytes on every
 * attempt, so `sentAt` is when the file was written: a file that waited in a buffer is late by its
 * wait, which proves nothing about the clock; a file from the future proves a fast clock.
 */
import type { FileLogEntry } from '../ledger/types';

const DAY_MS = 86_400_000;

/** How the clocks are judged: the tolerance either way, and the earliest plausible device time. */
export interface ClockRules {
  toleranceSeconds: number;
  /** Device times before this (ms since the epoch; default 2000-01-01) are a clock reset. */
  floorMs: number;
}

/** 2000-01-01T00:00Z: no gateway of ours wrote a file before it; a clock reset to 1970 did. */
export const DEFAULT_CLOCK_FLOOR_MS = Date.UTC(2000, 0, 1);

/** The device's times in the file (ms), earliest and latest; undefined when it has none. */
function deviceTimes(file: FileLogEntry): { earliest: number; latest: number } | undefined {
  const { sentAt, firstReadingAt, lastReadingAt } = file.summary ?? {};
  const times = [sentAt, firstReadingAt, lastReadingAt]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  if (times.length === 0) return undefined;
  return { earliest: Math.min(...times), latest: Math.max(...times) };
}

/**
 * The file's latest device time minus its receipt, whole seconds: positive when it claims to come
 * from the future (a fast clock), minus its wait otherwise. Undefined for a file without times.
 */
export function leadSeconds(file: FileLogEntry): number | undefined {
  const times = deviceTimes(file);
  // `+ 0`: no -0 from rounding a fraction of a second (it would print as 0 but compare as -0).
  return times && Math.round((times.latest - Date.parse(file.receivedAt)) / 1000) + 0;
}

/**
 * A clock reset or a wild jump: a device time before the floor, or more than a day after the file
 * was received. No buffering or clock drift produces either; the file's times are not its readings'.
 */
export function isImplausible(file: FileLogEntry, floorMs: number): boolean {
  const times = deviceTimes(file);
  if (!times) return false;
  return times.earliest < floorMs || times.latest > Date.parse(file.receivedAt) + DAY_MS;
}
