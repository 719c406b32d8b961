import { clockVerdict } from './clockVerdict';
import { countedFiles, orphanedIn } from './countedFiles';
import { gapsIn } from './gapsIn';
import { readingsPerHour } from './readingsPerHour';
import type { CoverageInput, DeviceCoverage, Range } from './types';
import { wholeHours } from './wholeHours';

/** One device over a range: its readings per whole UTC hour, its gaps, and its clock verdict. */
export function coverageOf(
  input: CoverageInput,
  range: Range,
  clockToleranceSeconds: number,
): DeviceCoverage {
  const span = wholeHours(range);
  const { perHour, readings } = readingsPerHour(input.days, span);
  const counted = countedFiles(input.files, span);
  return {
    deviceId: input.deviceId,
    files: counted.length,
    orphaned: orphanedIn(input.files, range),
    pending: input.pending,
    readings,
    hoursCovered: perHour.filter((n) => n > 0).length,
    hoursInRange: perHour.length,
    gaps: gapsIn(perHour, span.first),
    clock: clockVerdict(
      counted.map((f) => ({ clockOffsetSeconds: f.summary?.clockOffsetSeconds })),
      clockToleranceSeconds,
    ),
    perHour,
  };
}
