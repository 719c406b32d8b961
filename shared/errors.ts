/**
 * The project's error hierarchy. Every failure the ingest path can produce is one of these;
 * `toHttpResponse.ts` is the only place that turns them into HTTP answers. The branch says whose
 * fault it is: a RequestError is the device's (4xx: fix the request, resending the same bytes will
 * not help); anything else is ours (5xx: keep the file and retry later).
 */
export interface ErrorDetail {
  path?: string;
  message: string;
}

export abstract class IngestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is wrong; the answer says what to fix. */
export class RequestError extends IngestError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

/** The payload is JSON but does not match its device model's schema. */
export class SchemaValidationError extends RequestError {
  constructor(
    readonly schemaId: string,
    details: ErrorDetail[],
  ) {
    super(400, 'schema_validation', `The payload does not match schema "${schemaId}".`, details);
  }
}

/** The same Idempotency-Key was sent before with a different body. */
export class IdempotencyKeyReuseError extends RequestError {
  constructor() {
    super(
      422,
      'idempotency_key_reuse',
      'This Idempotency-Key was already used for a different payload; use a new key for new data.',
    );
  }
}

/**
 * The body did not arrive whole: the connection was cut mid-body, or the body stalled or took
 * longer than its deadline. No verdict on the file, and not the device's fault (a proxy or the
 * platform can cut a body too), so not a RequestError: nothing was stored and the gateway sends the
 * same file again (408, see toHttpResponse.ts).
 */
export class IncompleteBodyError extends IngestError {
  constructor(code: 'incomplete_body' | 'body_timeout', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Storage failed, timed out or answered unexpectedly: nothing was acknowledged, the device retries. */
export class StorageUnavailableError extends IngestError {
  constructor(operation: string, cause: unknown) {
    super('storage_unavailable', `Storage operation "${operation}" failed.`, { cause });
  }
}

/**
 * Other bytes arrived for a key whose claim's first writer may still be writing its blob: they wait
 * for it (Retry-After) instead of racing it. Ours to resolve, so a 503, never a 4xx.
 */
export class ClaimInFlightError extends IngestError {
  constructor(readonly retryAfterSeconds: number) {
    super('claim_in_flight', 'An earlier upload under this key may still be completing.');
  }
}

/**
 * The device registry names a model this deployment has no schema for (deployed before the schema,
 * or a typo written around the CLI). Ours to fix: the device keeps its files and retries.
 */
export class ModelNotDeployedError extends IngestError {
  constructor(readonly model: string) {
    super('model_not_deployed', `Device model "${model}" is not in this deployment.`);
  }
}

/**
 * The blob under a claimed name holds other bytes than the idempotency entry says: storage was
 * changed behind our back. Never answered 200; an operator must look.
 */
export class StoredBlobMismatchError extends IngestError {
  constructor(readonly blobName: string) {
    super('stored_blob_mismatch', `Blob "${blobName}" does not hold the bytes its entry records.`);
  }
}

/** A setting is missing or malformed: raised at start-up, never on a request. */
export class ConfigurationError extends IngestError {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super('configuration_error', `Invalid setting ${setting}: ${problem}`);
  }
}

/**
 * Reduces anything thrown to a message that is safe to log: storage SDK errors can carry request
 * URLs with SAS tokens or account names, so only the error's class and code survive.
 */
export function describeError(err: unknown): string {
  if (err instanceof IngestError) {
    const cause = err.cause === undefined ? '' : ` (cause: ${describeError(err.cause)})`;
    // Our own messages carry no secrets; the model or blob name is what an operator needs.
    const detail = err instanceof ModelNotDeployedError || err instanceof StoredBlobMismatchError;
    return `${err.name}[${err.code}]${detail ? `: ${err.message}` : ''}${cause}`;
  }
  if (err instanceof Error) {
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    const parts = [
      err.name,
      typeof code === 'string' ? code : undefined,
      typeof statusCode === 'number' ? String(statusCode) : undefined,
    ];
    return parts.filter(Boolean).join(':');
  }
  return typeof err;
}
