import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { RequestError } from './errors';
import { RawBody } from './rawBody';

const gunzipAsync = promisify(gunzip);

/** Rejects a declared oversize body before a byte of it is read. */
export function checkContentLength(header: string | null | undefined, maxBytes: number): void {
  if (header === null || header === undefined) return;
  const length = Number(header);
  if (!/^\d+$/.test(header.trim()) || !Number.isSafeInteger(length)) {
    throw new RequestError(400, 'invalid_content_length', 'Content-Length must be a non-negative integer.');
  }
  if (length > maxBytes) throw payloadTooLarge(maxBytes);
}

/** Reads a body stream, giving up as soon as it passes the cap (a body without Content-Length). */
export async function readBodyCapped(
  body: AsyncIterable<Uint8Array> | null | undefined,
  maxBytes: number,
): Promise<RawBody> {
  if (!body) return RawBody.empty;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      // Leaving the loop cancels the stream, so the rest of an oversize body is never buffered.
      if (total > maxBytes) throw payloadTooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof RequestError) throw err;
    // With streaming, a client that goes away mid-body surfaces here: its fault, not a 500.
    throw new RequestError(400, 'incomplete_body', 'The connection ended before the whole body arrived.');
  }
  // Kept as received: not joined into one buffer (see RawBody).
  return RawBody.fromChunks(chunks);
}

export function payloadTooLarge(maxBytes: number): RequestError {
  return new RequestError(413, 'payload_too_large', `The body exceeds the limit of ${maxBytes} bytes.`);
}

/** application/json, optionally with charset=utf-8: JSON is UTF-8 (RFC 8259), anything else is refused. */
export function checkContentType(header: string | null | undefined): void {
  const [mediaType = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charsetOk = params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
  if (mediaType !== 'application/json' || !charsetOk) {
    throw new RequestError(
      415,
      'unsupported_media_type',
      'Content-Type must be application/json (charset utf-8).',
      [{ path: 'headers.content-type', message: header ? `got "${header.slice(0, 100)}"` : 'missing' }],
    );
  }
}

export type ContentEncoding = 'identity' | 'gzip';

export function checkContentEncoding(header: string | null | undefined): ContentEncoding {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  throw new RequestError(415, 'unsupported_content_encoding', 'Content-Encoding must be gzip or absent.', [
    { path: 'headers.content-encoding', message: `got "${value.slice(0, 50)}"` },
  ]);
}

/**
 * Gateways on metered links gzip their files. The decompressed size is capped too, so a small
 * "zip bomb" is refused with 413 instead of filling memory; the inflater stops at the cap.
 */
export async function decodeBody(
  body: RawBody,
  encoding: ContentEncoding,
  maxBytes: number,
): Promise<RawBody> {
  if (encoding === 'identity') return body;
  try {
    return RawBody.of(await gunzipAsync(body.toBuffer(), { maxOutputLength: maxBytes }));
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw payloadTooLarge(maxBytes);
    throw new RequestError(400, 'invalid_gzip', 'The body is not valid gzip data.');
  }
}
