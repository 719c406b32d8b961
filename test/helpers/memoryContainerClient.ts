/**
 * An in-memory stand-in for the few ContainerClient calls the table export and restore make
 * (shared/tableExport): block-blob upload with If-None-Match (409 when the name is taken), exists,
 * downloadToBuffer (404 when missing) and a one-level listing by `/`. The same cases run on Azurite
 * in test/integration/tableExport.test.ts.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { ServiceError } from './memoryTableClient';

interface UploadOptions {
  abortSignal?: AbortSignal;
  conditions?: { ifNoneMatch?: string };
  blobHTTPHeaders?: { blobContentType?: string };
}

export interface MemoryBlob {
  bytes: Buffer;
  contentType?: string;
}

export class MemoryContainerClient {
  readonly blobs = new Map<string, MemoryBlob>();
  /** Every upload attempted, by name, in order (refused ones included). */
  readonly uploads: string[] = [];
  /** The abort signal each exists/upload call carried (undefined when none), in order. */
  readonly signals: Array<AbortSignal | undefined> = [];
  /** A fault to answer an upload or download of `name` with instead (the service's error). */
  fault?: (name: string) => Error | undefined;

  /** Typed as the SDK's client; only the calls above exist. */
  asClient(): ContainerClient {
    return this as unknown as ContainerClient;
  }

  getBlockBlobClient(name: string) {
    return this.getBlobClient(name);
  }

  getBlobClient(name: string) {
    return {
      exists: async (options: { abortSignal?: AbortSignal } = {}): Promise<boolean> => {
        this.signals.push(options.abortSignal);
        return this.blobs.has(name);
      },
      downloadToBuffer: async (): Promise<Buffer> => {
        const fault = this.fault?.(name);
        if (fault) throw fault;
        const blob = this.blobs.get(name);
        if (!blob) throw new ServiceError(404, 'BlobNotFound');
        return Buffer.from(blob.bytes);
      },
      upload: async (body: Buffer, length: number, options: UploadOptions = {}): Promise<void> => {
        this.uploads.push(name);
        this.signals.push(options.abortSignal);
        const fault = this.fault?.(name);
        if (fault) throw fault;
        if (options.conditions?.ifNoneMatch === '*' && this.blobs.has(name))
          throw new ServiceError(409, 'BlobAlreadyExists');
        this.blobs.set(name, {
          bytes: Buffer.from(body.subarray(0, length)),
          contentType: options.blobHTTPHeaders?.blobContentType,
        });
      },
    };
  }

  /** Blobs at the top level and the prefixes (`name/`) under which others sit, in name order. */
  async *listBlobsByHierarchy(
    delimiter: string,
  ): AsyncIterableIterator<{ kind: 'prefix' | 'blob'; name: string }> {
    const seen = new Set<string>();
    for (const name of [...this.blobs.keys()].sort()) {
      const cut = name.indexOf(delimiter);
      const item =
        cut < 0 ? { kind: 'blob' as const, name } : { kind: 'prefix' as const, name: name.slice(0, cut + 1) };
      if (seen.has(item.name)) continue;
      seen.add(item.name);
      yield item;
    }
  }

  /** Arranging and inspecting: no conditions. */
  put(name: string, text: string): void {
    this.blobs.set(name, { bytes: Buffer.from(text) });
  }

  text(name: string): string {
    const blob = this.blobs.get(name);
    if (!blob) throw new Error(`no blob ${name}`);
    return blob.bytes.toString('utf8');
  }
}
