/** An IngestRequest as functions/ingest.ts builds it, for driving the core in-process. */
import type { IngestRequest } from '../../../shared/ingest';
import { ingestRequest as jsonPost } from '../../helpers/ingestRequest';

export function ingestRequest(deviceId: string, body: string, key: string | undefined): IngestRequest {
  return jsonPost(deviceId, {
    body,
    contentLength: String(Buffer.byteLength(body)),
    authorization: key ? `Bearer ${key}` : null,
    forwardedFor: '127.0.0.1',
  });
}
