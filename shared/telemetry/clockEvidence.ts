import type { ReadingSummary } from '../readingSummary';

/**
 * What one file says about its device's clock at the moment it arrives, for the request's log line
 * (the clock alert counts `clock`). The same evidence as coverage's verdicts (docs/COVERAGE.md): a
 * file that waited in a buffer is late by its wait, which proves nothing; a device time in the
 * future of the receipt proves a fast clock; a time before the floor or a day ahead is a reset.
 */
export interface ClockEvidence {
  /** sentAt - receipt, whole seconds (positive: the device's clock runs ahead). */
  clockOffsetSeconds?: number;
  /** Receipt - the file's latest device time (sentAt or a reading): how long it waited. */
  delaySeconds?: number;
  /** Present only when the file alone proves something about the clock. */
  clock?: ClockSign;
}

export const ClockSign = {
  /** A device time later than the receipt by more than the tolerance. */
  Ahead: 'ahead',
  /** A device time before the floor, or more than a day after the receipt. */
  Reset: 'reset',
} as const;
export type ClockSign = (typeof ClockSign)[keyof typeof ClockSign];

/** Coverage's default `--clock-tolerance` (5 min) and `--clock-floor` (2000-01-01). */
export const CLOCK_TOLERANCE_SECONDS = 300;
export const CLOCK_FLOOR_MS = Date.UTC(2000, 0, 1);
const DAY_SECONDS = 86_400;

export function clockEvidence(summary: ReadingSummary | undefined, receivedAt: Date): ClockEvidence {
  const received = receivedAt.getTime();
  const times = [summary?.sentAt, summary?.firstReadingAt, summary?.lastReadingAt]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  const sent = summary?.sentAt === undefined ? NaN : Date.parse(summary.sentAt);
  const evidence: ClockEvidence = Number.isNaN(sent) ? {} : { clockOffsetSeconds: seconds(sent - received) };
  if (times.length === 0) return evidence;
  const lead = seconds(Math.max(...times) - received);
  const reset = Math.min(...times) < CLOCK_FLOOR_MS || lead > DAY_SECONDS;
  const clock = reset ? ClockSign.Reset : lead > CLOCK_TOLERANCE_SECONDS ? ClockSign.Ahead : undefined;
  return { ...evidence, delaySeconds: 0 - lead, ...(clock ? { clock } : {}) };
}

/** Whole seconds, without a -0 (it would print as 0 but compare as -0). */
function seconds(ms: number): number {
  return Math.round(ms / 1000) + 0;
}
