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
        await client.upload(blob.bytes, blob.bytes.byteLength, {
          abortSignal,
          conditions: { ifNoneMatch: '*' },
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

  exists(name: string): Promise<boolean> {
    const client = this.container.getBlockBlobClient(name);
    return storageCall('blob.exists', this.timeoutMs, (abortSignal) => client.exists({ abortSignal }));
  }
}
