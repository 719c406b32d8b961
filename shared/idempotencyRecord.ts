/**
 * The idempotency entry for one (device, key): which blob holds the payload and its digest.
 *
 * `pending`: the entry claims the blob name; whether the blob was written is not recorded (the first
 * writer answers 200 straight after its blob write, without a third round trip to say so), so a
 * resend checks the blob once. `stored`: a resend confirmed the blob, so later resends are answered
 * from the entry alone. Entries written before this name existed say `reserved`: read as `pending`.
 */
import type { StoredSummary } from './readingSummary';

export const RecordState = {
  Pending: 'pending',
  Stored: 'stored',
} as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

export interface IdempotencyRecord {
  deviceId: string;
  /** The idempotency key as the device sent it (or the body's SHA-256). */
  key: string;
  blobName: string;
  sha256: string;
  sizeBytes: number;
  /** ISO 8601 UTC time of the first receipt; the blob name is derived from it. */
  receivedAt: string;
  schemaId: string;
  state: RecordState;
  /** What the file holds in time (readings, hours, clock), for coverage; absent on old entries. */
  summary?: StoredSummary;
}
