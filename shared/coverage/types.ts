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
  /**
   * Every file read, in any state: those that matter to the range (received in it, or with readings
   * in it) and the others received on the same days (the same uploads: evidence for the clock).
   */
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

/** Receipt minus the file's latest own time (its sentAt or last reading), in seconds. */
export interface Delay {
  minSeconds: number;
  medianSeconds: number;
  maxSeconds: number;
}

export interface ClockVerdict {
  /** Files with a time in the future of their receipt by more than the tolerance. */
  aheadFiles: number;
  /** Every judged file when even the freshest is late by more than the tolerance; 0 otherwise. */
  behindFiles: number;
  maxAheadSeconds: number;
  /** When behind: the freshest file's delay (what no file escapes); 0 otherwise. */
  maxBehindSeconds: number;
  /** Files with a time before the floor or more than a day ahead: a reset or a wild jump. */
  resetFiles: number;
  /** Null when no file has a time of its own. */
  delay: Delay | null;
}

/** Per hour of the range, what each source has: the JSON path (ours) and the historian's export. */
export interface ReferenceComparison {
  hoursBoth: number;
  /** The historian's gap that a JSON file filled. */
  hoursFilled: number;
  hoursReferenceOnly: number;
  hoursStillMissing: number;
  /** Runs of hours neither has, longest first. */
  stillMissing: Gap[];
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
  /** Runs of empty hours in the range without a reset file received in them; longest first. */
  gaps: Gap[];
  /** Runs of hours whose only files came with a reset clock (their readings are stamped elsewhere). */
  resets: Gap[];
  clock: ClockVerdict;
  /** With a reference (the historian's export) only. */
  reference?: ReferenceComparison;
  /** Readings per whole hour of the range, in order (files count as 1 for models without readings). */
  perHour: number[];
  /** Files with a reset clock received per whole hour of the range. */
  resetFilesPerHour: number[];
  /** The reference's readings per whole hour of the range (with a reference only). */
  referencePerHour?: number[];
}
