/**
 * An IngestRequest as functions/ingest.ts builds it: a JSON POST from `deviceId` with no optional
 * header set, unless `overrides` sets it. A string or bytes body arrives as one chunk; pass an
 * async iterable to chunk it otherwise, or null for a request without a body.
 */
import type { IngestRequest } from '../../shared/ingest';

export type IngestRequestOverrides = Partial<Omit<IngestRequest, 'body'>> & {
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | null;
};

export function ingestRequest(
  deviceId: string,
  { body = '', ...overrides }: IngestRequestOverrides = {},
): IngestRequest {
  return {
    method: 'POST',
    deviceId,
    contentType: 'application/json',
    contentLength: null,
    contentEncoding: null,
    authorization: null,
    deviceKey: null,
    idempotencyKey: null,
    forwardedFor: null,
    ...overrides,
    body:
      body === null ? null : typeof body === 'string' || body instanceof Uint8Array ? oneChunk(body) : body,
  };
}

async function* oneChunk(body: string | Uint8Array): AsyncGenerator<Uint8Array> {
  yield typeof body === 'string' ? Buffer.from(body) : body;
}
