/** An IngestRequest as functions/ingest.ts builds it, for driving the core in-process. */
import type { IngestRequest } from '../../../shared/ingest';

export function ingestRequest(deviceId: string, body: string, key: string | undefined): IngestRequest {
  return {
    method: 'POST',
    deviceId,
    contentType: 'application/json',
    contentLength: String(Buffer.byteLength(body)),
    contentEncoding: null,
    authorization: key ? `Bearer ${key}` : null,
    deviceKey: null,
    idempotencyKey: null,
    forwardedFor: '127.0.0.1',
    body: (async function* () {
      yield Buffer.from(body);
    })(),
  };
}
