import { StorageUnavailableError } from '../errors';

/** The HTTP status and service error code of an Azure SDK RestError, if it is one. */
export function restErrorOf(err: unknown): { statusCode?: number; code?: string } {
  if (typeof err !== 'object' || err === null) return {};
  const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
  return {
    statusCode: typeof statusCode === 'number' ? statusCode : undefined,
    code: typeof code === 'string' ? code : undefined,
  };
}

/**
 * Runs one storage call under a deadline (the SDK's retries included) and turns every failure that
 * `expected` does not claim into StorageUnavailableError, so callers see either an answer or a 503.
 */
export async function storageCall<T>(
  operation: string,
  timeoutMs: number,
  call: (abortSignal: AbortSignal) => Promise<T>,
  expected?: (err: { statusCode?: number; code?: string }) => T | undefined,
): Promise<T> {
  try {
    return await call(AbortSignal.timeout(timeoutMs));
  } catch (err) {
    const answer = expected?.(restErrorOf(err));
    if (answer !== undefined) return answer;
    throw new StorageUnavailableError(operation, err);
  }
}
