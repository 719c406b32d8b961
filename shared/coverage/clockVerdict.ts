import type { ClockVerdict } from './types';

/**
 * How many files were sent with a clock ahead of or behind the receive time by more than the
 * tolerance, and by how much at most. Files without a send time are not judged.
 */
export function clockVerdict(
  files: ReadonlyArray<{ clockOffsetSeconds?: number }>,
  toleranceSeconds: number,
): ClockVerdict {
  const clock: ClockVerdict = { aheadFiles: 0, behindFiles: 0, maxAheadSeconds: 0, maxBehindSeconds: 0 };
  for (const { clockOffsetSeconds: offset } of files) {
    if (offset === undefined) continue;
    if (offset > toleranceSeconds) {
      clock.aheadFiles++;
      clock.maxAheadSeconds = Math.max(clock.maxAheadSeconds, offset);
    } else if (offset < -toleranceSeconds) {
      clock.behindFiles++;
      clock.maxBehindSeconds = Math.max(clock.maxBehindSeconds, -offset);
    }
  }
  return clock;
}
