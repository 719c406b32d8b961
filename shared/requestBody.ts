import { promisify } from 'node:util';
import { ReadableStream, type ReadableStreamDefaultReader } from 'node:stream/web';
import { gunzip } from 'node:zlib';
import { BodyDeadline, type BodyTimeouts, type Timers } from './bodyDeadline';
import { IncompleteBodyError, IngestError, RequestError } from './errors';
import { RawBody, RawBodyBuilder } from './rawBody';

const gunzipAsync = promisify(gunzip);

/** Rejects a declared oversize body before a byte of it is read; returns the declared length. */
export function checkContentLength(header: string | null | undefined, maxBytes: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const length = Number(header);
  if (!/^\d+$/.test(header.trim()) || !Number.isSafeInteger(length)) {
    throw new RequestError(400, 'invalid_content_length', 'Content-Length must be a non-negative integer.');
  }
  if (length > maxBytes) throw payloadTooLarge(maxBytes);
  return length;
}

export interface BodyReadOptions extends BodyTimeouts {
  /** The declared Content-Length: a body that ends short of it was cut. */
  declaredLength?: number;
  timers?: Timers;
}

/**
 * Reads a body stream, small chunks coalesced (RawBodyBuilder), giving up as soon as it passes the
 * cap (a body without Content-Length). A body cut mid-stream or past a deadline is an
 * IncompleteBodyError: retryable, never a verdict on the file.
 */
export async function readBodyCapped(
  body: AsyncIterable<Uint8Array> | null | undefined,
  maxBytes: number,
  options: BodyReadOptions = {},
): Promise<RawBody> {
  if (!body) return RawBody.empty;
  const reader = readerOf(body);
  // Cancelling ends a pending read at once (done), even one a stalled sender never answers.
  const stop = () => void reader.cancel().catch(() => undefined);
  const deadline = new BodyDeadline(options, stop, options.timers);
  const received = new RawBodyBuilder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      deadline.check();
      if (done) break;
      // Leaving the loop cancels the stream, so the rest of an oversize body is never buffered.
      if (received.byteLength + value.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
      received.push(value);
      deadline.progress();
    }
  } catch (err) {
    stop();
    deadline.check();
    if (err instanceof IngestError) throw err;
    throw cutShort(err);
  } finally {
    deadline.stop();
  }
  if (options.declaredLength !== undefined && received.byteLength < options.declaredLength) throw cutShort();
  return received.build();
}

/** A web stream (the Functions request body) is read directly; any other iterable through one. */
function readerOf(body: AsyncIterable<Uint8Array>): ReadableStreamDefaultReader<Uint8Array> {
  const stream = body as Partial<ReadableStream<Uint8Array>>;
  if (typeof stream.getReader === 'function') return stream.getReader();
  return ReadableStream.from(body).getReader();
}

/** The connection ended mid-body: whoever cut it, nothing is wrong with the file. */
function cutShort(cause?: unknown): IncompleteBodyError {
  return new IncompleteBodyError(
    'incomplete_body',
    'The body ended before it was complete (the connection was cut). Nothing was stored; keep the file and send it again.',
    { cause },
  );
}

export function payloadTooLarge(maxBytes: number): RequestError {
  return new RequestError(413, 'payload_too_large', `The body exceeds the limit of ${maxBytes} bytes.`);
}

/** How the file travels: the raw JSON body, or one file part of a form (multipartBody.ts). */
export type BodyForm = 'json' | 'multipart';

/**
 * application/json, optionally with charset=utf-8 (JSON is UTF-8, RFC 8259), or multipart/form-data
 * (its boundary and parts are checked by the form parser); anything else is refused.
 */
export function checkContentType(header: string | null | undefined): BodyForm {
  const [mediaType = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType === 'multipart/form-data') return 'multipart';
  const charsetOk = params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
  if (mediaType !== 'application/json' || !charsetOk) {
    throw new RequestError(
      415,
      'unsupported_media_type',
      'Content-Type must be application/json (charset utf-8), or multipart/form-data with one JSON file part.',
      [{ path: 'headers.content-type', message: header ? `got "${header.slice(0, 100)}"` : 'missing' }],
    );
  }
  return 'json';
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
