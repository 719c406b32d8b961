/**
 * The idempotency entry (the "claim") for one (device, key): which blob holds the payload and its
 * digest.
 *
 * `pending`: the entry claims the blob name; the first writer answers 200 straight after its blob
 * write, without a third round trip to say so, so whether the blob landed is settled later: by a
 * resend (which checks the blob once) or by the sweep (shared/sweep/), whichever comes first.
 * `stored`: the blob was seen, so resends are answered from the entry alone. `orphaned`: the sweep
 * found no blob long after the claim (the write failed, the instance died): not data, and the next
 * request with the key stores its file afresh. Entries written before `pending` existed say
 * `reserved`: read as `pending`.
 */
import type { StoredSummary } from './readingSummary';

export const RecordState = {
  Pending: 'pending',
  Stored: 'stored',
  Orphaned: 'orphaned',
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
  /** When the sweep (or a resend) saw the blob; absent until then. */
  confirmedAt?: string;
  /** When a pending claim took other bytes (ingest's rewrite); absent when it is `receivedAt`. */
  rewrittenAt?: string;
}

/**
 * A claim as read back from the store: with the version a conditional write must match, and when
 * its current bytes were claimed (`rewrittenAt`, else `receivedAt`; our clock, not the store's),
 * which tells whether their writer may still be at work.
 */
export interface Claim extends IdempotencyRecord {
  etag: string;
  updatedAt: string;
}
