import type { IdempotencyRecord } from '../idempotencyRecord';
import type { RawBody } from '../rawBody';

/**
 * The two narrow storage ports the ingest algorithm needs. Real adapters: blobRawStore.ts and
 * tableIdempotencyStore.ts. Both raise StorageUnavailableError for anything but the expected answers.
 */
export interface RawBlob {
  name: string;
  body: RawBody;
  contentMD5: Uint8Array;
  metadata: Record<string, string>;
}

export interface RawBlobStore {
  /**
   * Writes the blob only if no blob has the name (If-None-Match: *), with the body's MD5 checked by
   * the service on arrival (transactional Content-MD5).
   */
  createIfAbsent(blob: RawBlob): Promise<'created' | 'exists'>;
  /** The blob's recorded SHA-256 (its `sha256` metadata; '' if it has none), or undefined if absent. */
  find(name: string): Promise<{ sha256: string } | undefined>;
}

export interface IdempotencyStore {
  get(deviceId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Inserts only if no entry has the same (device, key): the conditional write that settles races. */
  insert(record: IdempotencyRecord): Promise<'inserted' | 'exists'>;
  /** Records that the blob was seen written, so later resends are answered from the entry alone. */
  markStored(record: IdempotencyRecord): Promise<void>;
  /** Cheap reachability probe for the health endpoint. */
  ping(): Promise<void>;
}
