/**
 * The ledger: what the sweep, coverage and the table export read and write beside the claims in the
 * idempotency table (row layout in rowKeys.ts). The port is narrow so the sweep reads as the
 * algorithm and the unit tests run it on an in-memory double; the Table adapter is
 * shared/storage/tableLedgerStore.ts.
 */
import type { Claim } from '../idempotencyRecord';
import type { StoredSummary } from '../readingSummary';
import type { HourCounts } from './dayRollup';

/** A claim not yet settled, as its marker row holds it. */
export interface Marker {
  deviceId: string;
  rowKey: string;
  etag: string;
  key: string;
  receivedAt: string;
}

export const FileState = {
  Stored: 'stored',
  Orphaned: 'orphaned',
  /** An orphan whose key a later request used to store its file (which has a file-log row of its own). */
  Replaced: 'replaced',
} as const;
export type FileState = (typeof FileState)[keyof typeof FileState];

/** A settled file: one row of the file log, keyed by the time the file was received. */
export interface FileLogEntry {
  deviceId: string;
  key: string;
  receivedAt: string;
  blobName: string;
  sha256: string;
  sizeBytes: number;
  schemaId: string;
  state: FileState;
  /** When the sweep settled it. */
  settledAt: string;
  summary?: StoredSummary;
  /** The file touched more days than one transaction holds; its later days are not in the rollups. */
  rollupDaysTruncated?: boolean;
}

/** One device's day rollup, with the version it was read at (absent: the row does not exist yet). */
export interface DayRollupRow {
  deviceId: string;
  /** `yyyyMMdd`, UTC. */
  day: string;
  hours: Map<number, HourCounts>;
  /**
   * The UTC days (`yyyyMMdd`) on which the files counted here were received: where in the file log a
   * reader finds them (a buffered file's readings land days before its receipt).
   */
  receivedOn: Set<string>;
  etag?: string;
}

/** What one transaction settles in one device's partition: all of it or none of it. */
export interface Settlement {
  deviceId: string;
  /** `marker` absent: a claim from before the ledger (coverage --rebuild adopts it from its blob). */
  files: Array<{ marker?: Marker; claim: Claim; entry: FileLogEntry }>;
  /** The rollups as they must be afterwards, each conditional on the version it was read at. */
  rollups: DayRollupRow[];
}

export interface LedgerStore {
  /** Every unsettled claim's marker: one RowKey range, as long as the backlog, not the history. */
  markers(deviceId: string): Promise<Marker[]>;
  claim(deviceId: string, key: string): Promise<Claim | undefined>;
  /** The rollups of these days (point reads); days without a row are absent from the answer. */
  rollupsOf(deviceId: string, days: string[]): Promise<DayRollupRow[]>;
  /**
   * One entity-group transaction: each marker deleted (if it is still the version read), each
   * file-log row inserted, each claim marked, each rollup written (if still the version read).
   * 'conflict' when any condition failed: nothing was written, the caller reads again.
   */
  settle(settlement: Settlement): Promise<'settled' | 'conflict'>;
  /** Day rollups of [fromDay, toDay], inclusive (`yyyyMMdd`): one RowKey range. */
  rollupRange(deviceId: string, fromDay: string, toDay: string): Promise<DayRollupRow[]>;
  /** Settled files received in [from, to): one RowKey range. */
  fileLog(deviceId: string, from: Date, to: Date): Promise<FileLogEntry[]>;
}
