import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A request body's bytes, kept as the chunks they arrived in. Joining them into one buffer would
 * put a fourth copy of a large body in memory next to the chunks (freed only by a later GC), the
 * decoded text and the parsed document: for a 10 MiB body that copy was 10 MiB of peak RSS
 * (docs/PERFORMANCE.md). The chunks are hashed, decoded and uploaded in place, never modified.
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

  static fromChunks(chunks: readonly Uint8Array[]): RawBody {
    return new RawBody(
      chunks.filter((c) => c.byteLength > 0),
      chunks.reduce((sum, c) => sum + c.byteLength, 0),
    );
  }

  /**
   * The body as strict UTF-8 text (a BOM is kept, not stripped, so it can be refused); throws a
   * TypeError on invalid UTF-8. Decoded chunk by chunk into one string that JSON.parse flattens
   * once: no joined byte copy on the way.
   */
  text(): string {
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

const strictUtf8 = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A decoder used without `stream` keeps no state between calls and can be shared; a streaming one
// holds a partial character between chunks, so each multi-chunk body gets its own.
const wholeUtf8 = strictUtf8();
