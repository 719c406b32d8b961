/** What happened to one file in a backfill run. */
export const FileStatus = {
  /** This run's request stored it (200 stored). */
  Stored: 'stored',
  /** An earlier request had stored it (200 duplicate). */
  Duplicate: 'duplicate',
  /** The journal already records a 200 for these very bytes: not sent again. */
  Skipped: 'skipped',
  /** The endpoint (or the local check) refused the bytes: resending them cannot help. */
  Rejected: 'rejected',
  /** Not acknowledged: retries exhausted, interrupted, no key or a refused key. A rerun sends it. */
  Unsent: 'unsent',
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

/** One `*.json` file found under the folder. */
export interface FoundFile {
  deviceId: string;
  /** Relative to the folder, `/`-separated: the journal's and the quarantine's name for it. */
  path: string;
  /** Relative to the device's own folder (the whole folder with `--device`): for `Idempotency-Key: path`. */
  devicePath: string;
  absolutePath: string;
  /** Why it cannot be sent at all, whatever its bytes (the default layout's device folder is wrong). */
  problem?: { error: string; message: string };
}

/** A refusal of one file, by the endpoint or by the local checks. */
export interface Rejection {
  /** The endpoint's HTTP status; absent for local checks. */
  httpStatus?: number;
  /** The endpoint's error code (`schema_validation`, ...) or a local one (`no_device_folder`, ...). */
  error: string;
  message: string;
  details?: unknown;
}

export interface Acknowledgement {
  status: typeof FileStatus.Stored | typeof FileStatus.Duplicate;
  blob: string;
}
