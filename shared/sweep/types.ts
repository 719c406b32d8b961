/** The sweep's ports beyond the ledger (shared/ledger/types.ts) and its result. */
import type { LedgerStore } from '../ledger/types';
import type { RawBlobStore } from '../storage/types';

/** One stored file as the confirmation record lists it for the vendor (DATA_CONTRACT.md). */
export interface Confirmation {
  name: string;
  deviceId: string;
  sha256: string;
  sizeBytes: number;
  receivedAt: string;
  confirmedAt: string;
}

/**
 * The record of every blob by the time it was confirmed: readers ask "what was confirmed since my
 * last run" and never list the device folders again, however late a file landed. Written BEFORE
 * the files are settled, so a crash between the two lists a file twice (readers skip what they
 * have) but never not at all.
 */
export interface ConfirmationLog {
  record(confirmations: Confirmation[], at: Date): Promise<void>;
}

/**
 * Each device's newest confirmed file, kept where the whole fleet can be read in one query (the
 * devices table): what device silence is judged on. Written with the confirmation record, before
 * the files are settled, so a crash repeats a write (it never moves a time backwards) but never
 * skips one.
 */
export interface LastFileLog {
  record(deviceId: string, receivedAt: string): Promise<unknown>;
}

export interface SweepDependencies {
  ledger: LedgerStore;
  blobs: Pick<RawBlobStore, 'find'>;
  confirmations: ConfirmationLog;
  lastFiles?: LastFileLog;
  /** Every device whose partition may hold claims (the registry, and any device with files). */
  devices(): Promise<string[]>;
  /** A claim without its blob this long after its last write is an orphan. */
  orphanAfterMs: number;
  now(): Date;
  /** Devices swept at once, and blob checks at once per device. */
  concurrency?: number;
}

export interface DeviceSweep {
  deviceId: string;
  confirmed: number;
  orphaned: number;
  stillPending: number;
  /** The latest receive time among the files this run confirmed. */
  lastFileAt?: string;
  /** Claims the sweep could not judge (a blob with other bytes than its claim, a marker without a claim). */
  problems: string[];
}

export interface SweepResult {
  startedAt: string;
  confirmed: number;
  orphaned: number;
  stillPending: number;
  devices: DeviceSweep[];
}
