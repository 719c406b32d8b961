import {
  ClaimInFlightError,
  IncompleteBodyError,
  ModelNotDeployedError,
  RequestError,
  SchemaValidationError,
  StorageUnavailableError,
  StoredBlobMismatchError,
} from './errors';
import type { IngestOutcome } from './ingest';

/** A plain HTTP answer; structurally an Azure Functions HttpResponseInit, without depending on it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  jsonBody: unknown;
}

export function outcomeToHttp(outcome: IngestOutcome): HttpAnswer {
  return {
    status: 200,
    headers: outcome.status === 'duplicate' ? { 'Idempotent-Replayed': 'true' } : {},
    jsonBody: {
      status: outcome.status,
      container: outcome.container,
      blob: outcome.blobName,
      sha256: outcome.sha256,
      size: outcome.sizeBytes,
      receivedAt: outcome.receivedAt,
      schemaId: outcome.schemaId,
    },
  };
}

/**
 * The one place errors become HTTP. Device faults say exactly what is wrong; our faults say only
 * "retry later": storage messages can carry URLs or tokens and are never echoed.
 */
export function errorToHttp(err: unknown, retryAfterSeconds: number): HttpAnswer {
  if (err instanceof RequestError) {
    return {
      status: err.status,
      headers: err.headers,
      jsonBody: {
        error: err.code,
        message: err.message,
        details: err.details,
        ...(err instanceof SchemaValidationError ? { schemaId: err.schemaId } : {}),
      },
    };
  }
  if (err instanceof IncompleteBodyError) {
    // 408 (RFC 9110 15.5.9): we did not receive a complete request message. Retryable, never a
    // verdict on the file; Connection: close because the rest of a cut body may still be in flight.
    return {
      status: 408,
      headers: { Connection: 'close', 'Retry-After': String(retryAfterSeconds) },
      jsonBody: { error: err.code, message: err.message, details: [] },
    };
  }
  if (err instanceof StorageUnavailableError) {
    return {
      status: 503,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      jsonBody: {
        error: err.code,
        message: 'Storage is unavailable; nothing was acknowledged. Keep the file and retry later.',
        details: [],
      },
    };
  }
  if (err instanceof ClaimInFlightError) {
    return {
      status: 503,
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
      jsonBody: {
        error: err.code,
        message: `${err.message} Nothing was acknowledged; keep the file and retry after Retry-After.`,
        details: [],
      },
    };
  }
  if (err instanceof ModelNotDeployedError || err instanceof StoredBlobMismatchError) {
    // A specific code so the gateway's alert and our log line name the same problem; still "retry later".
    return {
      status: 500,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      jsonBody: { error: err.code, message: `${err.message} Keep the file and retry later.`, details: [] },
    };
  }
  return {
    status: 500,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    jsonBody: {
      error: 'internal_error',
      message: 'Unexpected server error; keep the file and retry later.',
      details: [],
    },
  };
}
