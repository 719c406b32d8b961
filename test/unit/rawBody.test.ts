import { createHash } from 'node:crypto';
import { text as streamText } from 'node:stream/consumers';
import { RawBody } from '../../shared/rawBody';

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

  test('empty chunks are dropped; an empty body is zero bytes of empty text', () => {
    const body = RawBody.fromChunks([new Uint8Array(0), Buffer.from('{}'), new Uint8Array(0)]);
    expect(body.chunks).toHaveLength(1);
    expect(body.text()).toBe('{}');
    expect(RawBody.empty.byteLength).toBe(0);
    expect(RawBody.empty.text()).toBe('');
    expect(RawBody.empty.toBuffer().byteLength).toBe(0);
  });
});
