/**
 * The idempotency entry for one (device, key): which blob holds the payload and its digest.
 *
 * `reserved`: the blob name is claimed; the blob may or may not be written yet (writer in flight or
 * crashed). `stored`: a later request confirmed the blob exists, so resends need no blob lookup.
 */
export const RecordState = {
  Reserved: 'reserved',
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
}
