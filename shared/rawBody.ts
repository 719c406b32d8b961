import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A request body's bytes, kept as the chunks they arrived in (small ones coalesced, see
 * RawBodyBuilder). Joining them into one buffer would put a fourth copy of a large body in memory
 * next to the chunks (freed only by a later GC), the decoded text and the parsed document: for a
 * 10 MiB body that copy was 10 MiB of peak RSS (docs/PERFORMANCE.md). The chunks are hashed, decoded
 * and uploaded in place, never modified.
 */
export class RawBody {
  static readonly empty = new RawBody([], 0);

  private constructor(
    readonly chunks: readonly Uint8Array[],
    readonly byteLength: number,
  ) {}

  static of(bytes: Uint8Array): RawBody {
    return new RawBody([bytes], bytes.byteLength);
  }

  /** The chunks exactly as given (empty ones dropped); a body read from a stream uses RawBodyBuilder. */
  static fromChunks(chunks: readonly Uint8Array[]): RawBody {
    return new RawBody(
      chunks.filter((c) => c.byteLength > 0),
      chunks.reduce((sum, c) => sum + c.byteLength, 0),
    );
  }

  /**
   * The body as strict UTF-8 text (a BOM is kept, not stripped, so it can be refused); throws a
   * TypeError on invalid UTF-8. Decoded chunk by chunk into one string that JSON.parse flattens
   * once: no joined byte copy on the way. A body of ASCII only (nearly every file) needs no decoding:
   * each chunk is copied as it is into a one-byte string, cheaper than the streaming decoder.
   */
  text(): string {
    if (this.chunks.every((chunk) => isAscii(chunk))) {
      let text = '';
      for (const c of this.chunks)
        text += Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
      return text;
    }
    if (this.chunks.length === 1) return wholeUtf8.decode(this.chunks[0]);
    const decoder = strictUtf8();
    let text = '';
    for (const chunk of this.chunks) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }

  digest(algorithm: 'sha256' | 'md5'): Buffer {
    const hash = createHash(algorithm);
    for (const chunk of this.chunks) hash.update(chunk);
    return hash.digest();
  }

  /** A new stream over the chunks on every call (an upload retried from the start asks again). */
  stream(): Readable {
    return Readable.from(this.chunks, { objectMode: false });
  }

  /** One contiguous buffer: for small bodies and for input that must be whole (gzip). */
  toBuffer(): Buffer {
    return this.chunks.length === 1
      ? Buffer.from(this.chunks[0]!.buffer, this.chunks[0]!.byteOffset, this.byteLength)
      : Buffer.concat(this.chunks, this.byteLength);
  }
}

/** Chunks smaller than this are copied together; larger ones are kept as they came, without a copy. */
export const SMALL_CHUNK_BYTES = 8 * 1024;
/** The buffer small chunks are copied into. */
export const SLAB_BYTES = 64 * 1024;

/**
 * Collects a body as it arrives. A chunk of SMALL_CHUNK_BYTES or more is kept as it came (no copy);
 * smaller ones are copied into a slab of SLAB_BYTES, so a body trickled in 1-byte chunks is a few
 * slabs, not millions of buffers. Every kept buffer is at least SMALL_CHUNK_BYTES long except a
 * slab cut short by a large chunk (copied out at its used size, so no slab's spare room is held):
 * at most two buffers per SMALL_CHUNK_BYTES of body, and each byte is copied at most twice.
 */
export class RawBodyBuilder {
  private readonly chunks: Uint8Array[] = [];
  private slab?: Buffer;
  private used = 0;
  private total = 0;

  get byteLength(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    if (chunk.byteLength >= SMALL_CHUNK_BYTES) {
      this.flushSlab();
      this.chunks.push(chunk);
      return;
    }
    let at = 0;
    while (at < chunk.byteLength) {
      this.slab ??= Buffer.allocUnsafe(SLAB_BYTES);
      const copied = Math.min(chunk.byteLength - at, SLAB_BYTES - this.used);
      this.slab.set(chunk.subarray(at, at + copied), this.used);
      this.used += copied;
      at += copied;
      if (this.used === SLAB_BYTES) this.flushSlab();
    }
  }

  build(): RawBody {
    this.flushSlab();
    return RawBody.fromChunks(this.chunks);
  }

  private flushSlab(): void {
    if (!this.slab) return;
    // A full slab is kept as is; a part-used one is copied out so its spare room is freed.
    this.chunks.push(this.used === SLAB_BYTES ? this.slab : Buffer.from(this.slab.subarray(0, this.used)));
    this.slab = undefined;
    this.used = 0;
  }
}

const strictUtf8 = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A decoder used without `stream` keeps no state between calls and can be shared; a streaming one
// holds a partial character between chunks, so each multi-chunk body gets its own.
const wholeUtf8 = strictUtf8();
