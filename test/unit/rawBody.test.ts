import { createHash } from 'node:crypto';
import { text as streamText } from 'node:stream/consumers';
import { RawBody, RawBodyBuilder, SLAB_BYTES, SMALL_CHUNK_BYTES } from '../../shared/rawBody';

// TextDecoder's own TypeError (jest's realm differs, so matched by message).
const INVALID = /not valid/;
const DOC = '{"t":"°C","face":"😀","note":"Ölstand"}';

/** The document's bytes cut every `size` bytes: multi-byte characters land across chunk boundaries. */
const cut = (s: string, size: number) => {
  const bytes = Buffer.from(s);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.subarray(at, at + size));
  return RawBody.fromChunks(chunks);
};

describe('RawBody', () => {
  test.each([1, 2, 3, 5, 17])('decodes characters split across chunks of %i bytes', (size) => {
    const body = cut(DOC, size);
    expect(body.chunks.length).toBeGreaterThan(1);
    expect(body.byteLength).toBe(Buffer.byteLength(DOC));
    expect(body.text()).toBe(DOC);
  });

  test('refuses invalid UTF-8 wherever it falls, including a character cut short at the end', () => {
    const bad = Buffer.concat([Buffer.from('{"t":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(() => RawBody.fromChunks([bad.subarray(0, 3), bad.subarray(3)]).text()).toThrow(INVALID);
    const truncated = Buffer.from('{"t":"°').subarray(0, -1); // the first byte of a 2-byte character
    expect(() => RawBody.fromChunks([truncated.subarray(0, 2), truncated.subarray(2)]).text()).toThrow(
      INVALID,
    );
    // A decoder that failed mid-body leaves nothing behind for the next body.
    expect(cut(DOC, 3).text()).toBe(DOC);
  });

  test('ASCII chunks and chunks with other characters decode alike, a character cut across chunks too', () => {
    const ascii = '{"deviceId":"truck-1","t":"\\u00b0"}';
    for (const size of [1, 2, 5, 64]) expect(cut(ascii, size).text()).toBe(ascii);
    // One chunk of ASCII, then the two bytes of ° split across the next two.
    const mixed = Buffer.from('{"t":"°C"}');
    const at = mixed.indexOf(0xc2);
    const chunks = [mixed.subarray(0, at), mixed.subarray(at, at + 1), mixed.subarray(at + 1)];
    expect(RawBody.fromChunks(chunks).text()).toBe('{"t":"°C"}');
    expect(RawBody.of(mixed).text()).toBe('{"t":"°C"}');
    // Every byte value below 0x80 is its own character; 0x80 is not.
    const all = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
    expect(RawBody.fromChunks([all.subarray(0, 100), all.subarray(100)]).text()).toBe(
      String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)),
    );
    expect(() => RawBody.fromChunks([all, Buffer.from([0x80])]).text()).toThrow(INVALID);
  });

  test('reads chunks that are views into larger buffers as their own bytes only', () => {
    const backing = Buffer.from('xx{"a":1}yy{"b":2}zz');
    const body = RawBody.fromChunks([
      backing.subarray(2, 9),
      new Uint8Array(backing.buffer, backing.byteOffset + 11, 7),
    ]);
    expect(body.text()).toBe('{"a":1}{"b":2}');
  });

  test('a body of ASCII bytes is copied, not decoded; one byte over 0x7f and it is decoded', () => {
    const decode = jest.spyOn(TextDecoder.prototype, 'decode');
    try {
      const ascii = '{"deviceId":"truck-1","t":"\\u00b0"}';
      expect(cut(ascii, 5).text()).toBe(ascii);
      expect(RawBody.of(Buffer.from(ascii)).text()).toBe(ascii);
      expect(decode).not.toHaveBeenCalled();
      expect(cut(DOC, 5).text()).toBe(DOC);
      expect(decode).toHaveBeenCalled();
    } finally {
      decode.mockRestore();
    }
  });

  test('keeps a byte-order mark so it can be refused', () => {
    expect(cut(`\ufeff${DOC}`, 2).text().charCodeAt(0)).toBe(0xfeff);
  });

  test('hashes the chunks as the bytes they make up', () => {
    const body = cut(DOC, 4);
    for (const algorithm of ['sha256', 'md5'] as const)
      expect(body.digest(algorithm).equals(createHash(algorithm).update(DOC).digest())).toBe(true);
  });

  test('streams the same bytes on every call (an upload retried from the start)', async () => {
    const body = cut(DOC, 7);
    expect(await streamText(body.stream())).toBe(DOC);
    expect(await streamText(body.stream())).toBe(DOC);
    expect(body.toBuffer().toString()).toBe(DOC);
  });

  test('streams bytes, not objects; one chunk is handed out as it is, without a copy', () => {
    expect(cut(DOC, 7).stream().readableObjectMode).toBe(false);
    const bytes = Buffer.from(DOC);
    expect(RawBody.of(bytes).toBuffer().buffer).toBe(bytes.buffer);
  });

  test('empty chunks are dropped; an empty body is zero bytes of empty text', () => {
    const body = RawBody.fromChunks([new Uint8Array(0), Buffer.from('{}'), new Uint8Array(0)]);
    expect(body.chunks).toHaveLength(1);
    expect(body.text()).toBe('{}');
    expect(RawBody.empty.byteLength).toBe(0);
    expect(RawBody.empty.text()).toBe('');
    expect(RawBody.empty.toBuffer().byteLength).toBe(0);
  });
});

describe('RawBodyBuilder: small chunks coalesced as they arrive', () => {
  const filled = (size: number, byte: number) => Buffer.alloc(size, byte);
  const build = (chunks: Uint8Array[]) => {
    const builder = new RawBodyBuilder();
    for (const chunk of chunks) builder.push(chunk);
    expect(builder.byteLength).toBe(chunks.reduce((n, c) => n + c.byteLength, 0));
    return builder.build();
  };

  test('a chunk of SMALL_CHUNK_BYTES or more is kept as it came, not copied', () => {
    const big = filled(SMALL_CHUNK_BYTES, 1);
    const bigger = filled(SMALL_CHUNK_BYTES * 3, 2);
    const body = build([big, bigger]);
    expect(body.chunks).toHaveLength(2);
    expect(body.chunks[0]).toBe(big);
    expect(body.chunks[1]).toBe(bigger);
  });

  test('smaller chunks share one slab, copied in order', () => {
    const parts = [
      Buffer.from('{"a"'),
      Buffer.from(':'),
      filled(SMALL_CHUNK_BYTES - 1, 0x20),
      Buffer.from('1}'),
    ];
    const body = build(parts);
    expect(body.chunks).toHaveLength(1);
    expect(body.chunks[0]!.byteLength).toBe(body.byteLength);
    expect(body.toBuffer().equals(Buffer.concat(parts))).toBe(true);
  });

  test('a full slab is kept whole and the next one starts; a chunk can straddle the two', () => {
    const small = SMALL_CHUNK_BYTES - 1;
    const count = Math.ceil(SLAB_BYTES / small) + 1;
    const parts = Array.from({ length: count }, (_, i) => filled(small, i));
    const body = build(parts);
    expect(body.chunks.map((c) => c.byteLength)).toEqual([SLAB_BYTES, count * small - SLAB_BYTES]);
    expect(body.toBuffer().equals(Buffer.concat(parts))).toBe(true);
  });

  test('a part-filled slab before a large chunk is cut to its used size, the order kept', () => {
    const head = Buffer.from('{"note":"');
    const big = filled(SMALL_CHUNK_BYTES, 0x78);
    const tail = Buffer.from('"}');
    const body = build([head, big, tail]);
    expect(body.chunks.map((c) => c.byteLength)).toEqual([head.byteLength, big.byteLength, tail.byteLength]);
    expect(body.chunks[1]).toBe(big);
    // The slab's spare room is not held: the kept copy owns no more than a small pooled buffer.
    expect(body.chunks[0]!.buffer.byteLength).toBeLessThan(SLAB_BYTES);
    expect(body.toBuffer().equals(Buffer.concat([head, big, tail]))).toBe(true);
  });

  test('a million 1-byte chunks make sixteen buffers', () => {
    const builder = new RawBodyBuilder();
    const byte = Uint8Array.of(0x20);
    for (let i = 0; i < 1_000_000; i++) builder.push(byte);
    const body = builder.build();
    expect(body.byteLength).toBe(1_000_000);
    expect(body.chunks).toHaveLength(Math.ceil(1_000_000 / SLAB_BYTES));
  });

  test('empty chunks and an empty body add nothing', () => {
    expect(build([]).chunks).toHaveLength(0);
    expect(build([new Uint8Array(0), Buffer.from('{}'), new Uint8Array(0)]).text()).toBe('{}');
  });
});
