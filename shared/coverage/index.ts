/**
 * Coverage: from the ledger's day rollups and file log of a device to its covered hours, gaps and
 * clock verdict over a range. The arithmetic is pure; coverageInput.ts reads what it needs through
 * the ledger port. Shared by the `coverage` command and anything else that judges coverage; no
 * Azure Functions types here.
 */
export { clockVerdict } from './clockVerdict';
export { countedFiles, orphanedIn } from './countedFiles';
export { readCoverageInput } from './coverageInput';
export { coverageOf } from './coverageOf';
export { gapsIn } from './gapsIn';
export { type HourlyCounts, readingsPerHour } from './readingsPerHour';
export type { ClockVerdict, CoverageInput, DeviceCoverage, Gap, HourSpan, Range } from './types';
export { HOUR_MS, wholeHours } from './wholeHours';
