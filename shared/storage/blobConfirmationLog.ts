import { randomBytes } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { Confirmation, ConfirmationLog } from '../sweep/types';
import { storageCall } from './storageCall';

/**
 * Top-level folder of the raw container that holds the confirmation record. Device ids start with
 * a letter or digit, so no device's folder can be named like it (DATA_CONTRACT.md#confirmed-files).
 */
export const CONFIRMED_PREFIX = '_confirmed/';

/**
 * `_confirmed/{yyyy}/{MM}/{dd}/{HHmmssSSS}Z_{random}.ndjson`, named when written: a reader lists the
 * day folders since its last run and reads the files after the last one it read (less an overlap,
 * see DATA_CONTRACT.md), one JSON line per confirmed blob.
 */
export function confirmationBlobName(at: Date, suffix = randomBytes(4).toString('hex')): string {
  const iso = at.toISOString();
  return `${CONFIRMED_PREFIX}${iso.slice(0, 10).replace(/-/g, '/')}/${iso.slice(11, 23).replace(/[:.]/g, '')}Z_${suffix}.ndjson`;
}

/** The confirmation record as NDJSON blobs in the raw container, readable with the vendor's read SAS. */
export class BlobConfirmationLog implements ConfirmationLog {
  constructor(
    private readonly container: ContainerClient,
    private readonly timeoutMs: number,
  ) {}

  async record(confirmations: Confirmation[], at: Date): Promise<void> {
    const text = confirmations.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const client = this.container.getBlockBlobClient(confirmationBlobName(at));
    await storageCall('blob.upload', this.timeoutMs, (abortSignal) =>
      client.upload(text, Buffer.byteLength(text), {
        abortSignal,
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
      }),
    );
  }
}

/** Parses one confirmation file; lines that are not confirmations are skipped, not fatal. */
export function parseConfirmations(text: string): Confirmation[] {
  const out: Confirmation[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as Partial<Confirmation>;
      if (typeof value.name === 'string' && typeof value.sha256 === 'string') out.push(value as Confirmation);
    } catch {
      // A torn or foreign line: the blob it would name is still found by a full listing.
    }
  }
  return out;
}
