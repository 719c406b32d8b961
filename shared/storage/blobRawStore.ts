import type { ContainerClient } from '@azure/storage-blob';
import type { RawBlob, RawBlobStore } from './types';
import { storageCall } from './storageCall';

export class BlobRawStore implements RawBlobStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly timeoutMs: number,
  ) {}

  createIfAbsent(blob: RawBlob): Promise<'created' | 'exists'> {
    const client = this.container.getBlockBlobClient(blob.name);
    return storageCall(
      'blob.upload',
      this.timeoutMs,
      async (abortSignal) => {
        // upload() is a single Put Blob for bodies this size: the blob appears whole or not at all.
        // A body that arrived in one chunk goes as is; a larger one as a stream over its chunks (a
        // factory, so a retry starts over) rather than joined into one more copy in memory.
        const { body } = blob;
        const source = body.chunks.length <= 1 ? body.toBuffer() : () => body.stream();
        await client.upload(source, body.byteLength, {
          abortSignal,
          conditions: { ifNoneMatch: '*' },
          // Content-MD5 on the request: the service refuses a body damaged in transit (400 Md5Mismatch).
          // x-ms-blob-content-md5 alone is only stored, not checked; it is set too so vendors can verify.
          transactionalContentMD5: blob.contentMD5,
          blobHTTPHeaders: { blobContentType: 'application/json', blobContentMD5: blob.contentMD5 },
          metadata: blob.metadata,
        });
        return 'created' as const;
      },
      ({ statusCode, code }) =>
        statusCode === 409 && code === 'BlobAlreadyExists'
          ? 'exists'
          : statusCode === 412 // a conditional write that lost a race answers 412 on some service versions
            ? 'exists'
            : undefined,
    );
  }

  find(name: string): Promise<{ sha256: string } | undefined> {
    const client = this.container.getBlockBlobClient(name);
    return storageCall(
      'blob.properties',
      this.timeoutMs,
      async (abortSignal) => ({
        sha256: (await client.getProperties({ abortSignal })).metadata?.sha256 ?? '',
      }),
      ({ statusCode }) => (statusCode === 404 ? null : undefined),
    ).then((found) => found ?? undefined);
  }
}
