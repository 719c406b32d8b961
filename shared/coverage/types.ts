/** What coverage reads and reports; the arithmetic is in the modules beside this one. */

/** What coverage needs of one idempotency entry (its stored reading summary). */
export interface FileSummary {
  receivedAt: string;
  /** Absent for models without reading times and for entries from before summaries (see --rebuild). */
  readings?: number;
  readingHours?: string;
  clockOffsetSeconds?: number;
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
  files: number;
  readings: number;
  hoursCovered: number;
  hoursInRange: number;
  gaps: Gap[];
  clock: ClockVerdict;
  /** Readings per whole hour of the range, in order (files count as 1 for models without readings). */
  perHour: number[];
}
