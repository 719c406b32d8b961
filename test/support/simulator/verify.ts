/**
 * The verdict: what is really in storage (listed and downloaded with the real SDKs, straight from
 * Azurite, not through the fault proxies) against what the gateways produced and deleted.
 */
import { isDeviceId } from '../../../shared/deviceId';
import { isLedgerRowKey } from '../../../shared/ledger/rowKeys';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import type { FileEntry } from './ledger';

export interface StoredBlob {
  name: string;
  /** The first path segment: the device the blob was filed under. */
  deviceId: string;
  sha256: string;
  sizeBytes: number;
}

export interface StoredEntity {
  deviceId: string;
  blobName: string;
  sha256: string;
  state: string;
}

export interface StorageContents {
  blobs: StoredBlob[];
  entities: StoredEntity[];
}

export async function readStorage(
  connectionString: string,
  container: string,
  table: string,
  concurrency = 8,
): Promise<StorageContents> {
  const containerClient =
    BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  const names: string[] = [];
  for await (const blob of containerClient.listBlobsFlat()) {
    // The sweep's confirmation record (`_confirmed/`) is ours, not a gateway's file.
    if (isDeviceId(blob.name.split('/')[0])) names.push(blob.name);
  }
  const blobs: StoredBlob[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++]!;
        const bytes = await containerClient.getBlobClient(name).downloadToBuffer();
        blobs.push({
          name,
          deviceId: name.split('/')[0]!,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          sizeBytes: bytes.byteLength,
        });
      }
    }),
  );
  const tableClient = TableClient.fromConnectionString(connectionString, table, {
    allowInsecureConnection: true,
  });
  const entities: StoredEntity[] = [];
  for await (const e of tableClient.listEntities<{ blobName: string; sha256: string; state: string }>()) {
    // The ledger rows beside the claims (markers, file log, rollups) are not entries.
    if (isLedgerRowKey(e.rowKey!)) continue;
    entities.push({ deviceId: e.partitionKey!, blobName: e.blobName, sha256: e.sha256, state: e.state });
  }
  return { blobs, entities };
}

export interface Verdict {
  ok: boolean;
  violations: string[];
  filesProduced: number;
  copiesProduced: number;
  copiesDeleted: number;
  blobsStored: number;
  /** Produced files with no blob, and with more than one. */
  lost: number;
  duplicated: number;
  /** Blobs whose bytes are no produced file of their device. */
  unexpectedBlobs: number;
  /** Files a gateway deleted (it got a 200) that are not stored: the worst case. */
  deletedNotStored: number;
  /** Copies still in a buffer or in quarantine at the end. */
  undelivered: number;
  quarantined: number;
  /** Idempotency entries left `pending` (harmless: the next resend re-checks the blob) and entries naming no blob. */
  pendingEntries: number;
  entitiesWithoutBlob: number;
}

const MAX_LISTED = 10;

/**
 * Every produced file stored exactly once (by SHA-256 of the bytes, per device); no deleted file that
 * is not stored; no blob that is not a produced file; every copy delivered; every 200 named the right
 * bytes and, for one file, always the same blob; at most one "stored" answer per file.
 */
export function verdict(files: FileEntry[], storage: StorageContents): Verdict {
  const violations: string[] = [];
  const note = (kind: string, items: string[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, MAX_LISTED).join('; ');
    violations.push(
      `${kind}: ${items.length}${items.length > MAX_LISTED ? ` (first ${MAX_LISTED})` : ''}: ${shown}`,
    );
  };
  const blobsByFile = new Map<string, StoredBlob[]>();
  for (const blob of storage.blobs) {
    const id = `${blob.deviceId}\n${blob.sha256}`;
    blobsByFile.set(id, [...(blobsByFile.get(id) ?? []), blob]);
  }
  const produced = new Set(files.map((f) => `${f.deviceId}\n${f.sha256}`));
  const label = (f: FileEntry) => `${f.deviceId} #${f.sequence} (${f.sha256.slice(0, 12)})`;

  const lost: string[] = [];
  const duplicated: string[] = [];
  const deletedNotStored: string[] = [];
  const undelivered: string[] = [];
  const quarantined: string[] = [];
  const wrongAcks: string[] = [];
  const inconsistentAcks: string[] = [];
  const storedTwice: string[] = [];
  for (const f of files) {
    const stored = blobsByFile.get(`${f.deviceId}\n${f.sha256}`) ?? [];
    if (stored.length === 0) lost.push(label(f));
    if (stored.length > 1)
      duplicated.push(`${label(f)} x${stored.length}: ${stored.map((b) => b.name).join(', ')}`);
    if (f.deleted > 0 && stored.length === 0) deletedNotStored.push(label(f));
    if (f.deleted + f.quarantined < f.copies)
      undelivered.push(`${label(f)} ${f.copies - f.deleted - f.quarantined} copies`);
    if (f.quarantined > 0) quarantined.push(label(f));
    if (f.wrongAcks > 0) wrongAcks.push(label(f));
    const names = new Set(stored.map((b) => b.name));
    if (f.ackedBlobs.size > 1 || [...f.ackedBlobs].some((name) => !names.has(name)))
      inconsistentAcks.push(`${label(f)} acked as ${[...f.ackedBlobs].join(', ')}`);
    if (f.storedAnswers > 1) storedTwice.push(`${label(f)} x${f.storedAnswers}`);
  }
  const unexpected = storage.blobs
    .filter((b) => !produced.has(`${b.deviceId}\n${b.sha256}`))
    .map((b) => `${b.name} (${b.sizeBytes} bytes, ${b.sha256.slice(0, 12)})`);
  const blobNames = new Set(storage.blobs.map((b) => b.name));
  const entitiesWithoutBlob = storage.entities
    .filter((e) => !blobNames.has(e.blobName))
    .map((e) => `${e.deviceId} ${e.blobName} (${e.state})`);

  note('LOST (produced, never stored)', lost);
  note('DUPLICATED (stored more than once)', duplicated);
  note('DELETED BUT NOT STORED (a wrong 200)', deletedNotStored);
  note('UNEXPECTED BLOBS (bytes no gateway produced)', unexpected);
  note('UNDELIVERED (still buffered at the end)', undelivered);
  note('QUARANTINED (a valid file answered 4xx)', quarantined);
  note('WRONG ACK (200 naming other bytes)', wrongAcks);
  note('INCONSISTENT ACKS (200s naming different or missing blobs)', inconsistentAcks);
  note('STORED TWICE (two "stored" answers for one file)', storedTwice);
  note('ENTRIES WITHOUT BLOB (after every file was delivered)', entitiesWithoutBlob);
  // The run ends with a sweep: every claim has its blob by then, so none may stay pending.
  const pending = storage.entities
    .filter((e) => e.state !== 'stored')
    .map((e) => `${e.deviceId} ${e.blobName}`);
  note('STILL PENDING (after the final sweep)', pending);

  return {
    ok: violations.length === 0,
    violations,
    filesProduced: files.length,
    copiesProduced: files.reduce((n, f) => n + f.copies, 0),
    copiesDeleted: files.reduce((n, f) => n + f.deleted, 0),
    blobsStored: storage.blobs.length,
    lost: lost.length,
    duplicated: duplicated.length,
    unexpectedBlobs: unexpected.length,
    deletedNotStored: deletedNotStored.length,
    undelivered: undelivered.length,
    quarantined: quarantined.length,
    pendingEntries: storage.entities.filter((e) => e.state !== 'stored').length,
    entitiesWithoutBlob: entitiesWithoutBlob.length,
  };
}
