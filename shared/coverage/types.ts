/** What coverage reads and reports; the arithmetic is in the modules beside this one. */

import type { DayHours } from '../ledger/dayRollup';
import type { FileLogEntry } from '../ledger/types';

/**
 * What coverage reads of one device (coverageInput.ts builds it from the ledger): only files whose
 * blob was confirmed count, the settled ones from the rollups and the file log, the unswept tail
 * confirmed the way the sweep confirms it.
 */
export interface CoverageInput {
  deviceId: string;
  /** Readings per UTC day and hour of the range's days. */
  days: DayHours;
  /** The files that matter to the range (received in it, or with readings in it), in any state. */
  files: readonly FileLogEntry[];
  /** Claims whose blob has not been seen yet: not data (yet). */
  pending: number;
}

/** A time range, `to` exclusive. */
export interface Range {
  from: Date;
  to: Date;
}

/** The whole UTC hours of a range, as hours counted from the epoch: [first, end). */
export interface HourSpan {
  first: number;
  end: number;
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
  /** Stored files with readings in the range's hours (or, without reading times, received in them). */
  files: number;
  /** Claims received in the range whose blob never landed: the gateway still holds those files. */
  orphaned: number;
  /** Claims still waiting for their blob. */
  pending: number;
  readings: number;
  hoursCovered: number;
  hoursInRange: number;
  gaps: Gap[];
  clock: ClockVerdict;
  /** Readings per whole hour of the range, in order (files count as 1 for models without readings). */
  perHour: number[];
}
