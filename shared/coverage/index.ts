/**
 * The coverage arithmetic, pure: from the reading summaries of a device's files to its covered hours,
 * gaps and clock verdict over a range. Shared by the `coverage` command and anything else that
 * judges coverage (a sweep, the runtime); no storage and no Azure Functions types here.
 */
export { clockVerdict } from './clockVerdict';
export { coverageOf } from './coverageOf';
export { gapsIn } from './gapsIn';
export { type HourlyCounts, readingsPerHour } from './readingsPerHour';
export type { ClockVerdict, DeviceCoverage, FileSummary, Gap, HourSpan, Range } from './types';
export { HOUR_MS, wholeHours } from './wholeHours';
