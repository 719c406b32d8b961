/**
 * Coverage: from the ledger's day rollups and file log of a device to its covered hours, gaps and
 * clock verdict over a range. The arithmetic is pure; coverageInput.ts reads what it needs through
 * the ledger port. Shared by the `coverage` command and anything else that judges coverage; no
 * Azure Functions types here.
 */
export { clockVerdict } from './clockVerdict';
export { countedFiles, mattersTo, orphanedIn, receivedIn, receivedPerHour } from './countedFiles';
export { readCoverageInput } from './coverageInput';
export { coverageOf, type CoverageRules } from './coverageOf';
export { type ClockRules, DEFAULT_CLOCK_FLOOR_MS, isImplausible, leadSeconds } from './fileClock';
export { delayOf } from './clockVerdict';
export { gapsIn } from './gapsIn';
export { humanDuration } from './humanDuration';
export { type HourlyCounts, readingsPerHour } from './readingsPerHour';
export { hourState, HourState, referenceComparison, referencePerHour } from './referenceComparison';
export type {
  ClockVerdict,
  CoverageInput,
  Delay,
  DeviceCoverage,
  Gap,
  HourSpan,
  Range,
  ReferenceComparison,
} from './types';
export { HOUR_MS, wholeHours } from './wholeHours';
export {
  DEFAULT_REFERENCE_COLUMNS,
  type ReferenceColumns,
  type ReferenceLayout,
  type ReferenceRow,
  ReferenceRowError,
  ReferenceTally,
  readReferenceRow,
  referenceLayout,
} from './referenceRows';
