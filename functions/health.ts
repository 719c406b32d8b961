import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { describeError } from '../shared/errors';
import { getRuntime, type Runtime } from '../shared/runtime';

/** GET /api/health: 200 when the raw container and the idempotency table answer, 503 otherwise. */
export const createHealthHandler =
  (runtimeOf: () => Runtime = getRuntime) =>
  async (_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const runtime = runtimeOf();
    try {
      await runtime.checkHealth();
      return { status: 200, jsonBody: { status: 'ok' } };
    } catch (err) {
      context.warn(JSON.stringify({ event: 'health', status: 503, error: describeError(err) }));
      return {
        status: 503,
        headers: { 'Retry-After': String(runtime.config.retryAfterSeconds) },
        jsonBody: { status: 'unavailable', error: 'storage_unavailable' },
      };
    }
  };

export const healthHandler = createHealthHandler();

app.http('health', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'health',
  handler: healthHandler,
});
