import { clockVerdict } from './clockVerdict';
import { gapsIn } from './gapsIn';
import { readingsPerHour } from './readingsPerHour';
import type { DeviceCoverage, FileSummary, Range } from './types';
import { wholeHours } from './wholeHours';

/** One device over a range: its readings per whole UTC hour, its gaps, and its clock verdict. */
export function coverageOf(
  deviceId: string,
  files: readonly FileSummary[],
  range: Range,
  clockToleranceSeconds: number,
): DeviceCoverage {
  const span = wholeHours(range);
  const { perHour, readings, counted } = readingsPerHour(files, span);
  return {
    deviceId,
    files: counted.length,
    readings,
    hoursCovered: perHour.filter((n) => n > 0).length,
    hoursInRange: perHour.length,
    gaps: gapsIn(perHour, span.first),
    clock: clockVerdict(counted, clockToleranceSeconds),
    perHour,
  };
}
