import type { Claim, IdempotencyRecord } from '../idempotencyRecord';
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
  get(deviceId: string, key: string): Promise<Claim | undefined>;
  /**
   * Inserts only if no entry has the same (device, key): the conditional write that settles races.
   * The claim's ledger marker (ledger/rowKeys.ts) goes in the same transaction, so the sweep finds
   * every claim without a second write.
   */
  insert(record: IdempotencyRecord): Promise<'inserted' | 'exists'>;
  /** Records that the blob was seen written, so later resends are answered from the entry alone. */
  markStored(record: IdempotencyRecord): Promise<void>;
  /**
   * New bytes for a pending claim whose blob never landed, under the same blob name: the claim's
   * digest, size, model and summary, if the claim is still the version read.
   */
  rewrite(claim: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'>;
  /**
   * A new receipt for an orphaned claim (if still the version read): the claim takes the new
   * record, a new marker is written, and the orphan's file-log row says `replaced`; one transaction.
   */
  reclaim(orphan: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'>;
  /** Cheap reachability probe for the health endpoint. */
  ping(): Promise<void>;
}
