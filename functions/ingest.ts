import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { describeError } from '../shared/errors';
import { formatRequestLog, type IngestTrace } from '../shared/requestLog';
import { getRuntime, type Runtime } from '../shared/runtime';
import { errorToHttp, outcomeToHttp } from '../shared/toHttpResponse';

/**
 * POST /api/ingest/{deviceId}: read the request, hand it to the core, map the answer.
 * Built from a runtime provider so tests can serve the real handler over other storage.
 */
export const createIngestHandler =
  (runtimeOf: () => Runtime = getRuntime) =>
  async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const started = performance.now();
    const runtime = runtimeOf();
    const trace: IngestTrace = {};
    let answer;
    let outcome: string;
    let error: string | undefined;
    try {
      const result = await runtime.ingest.ingest(
        {
          method: request.method,
          deviceId: request.params.deviceId,
          contentType: request.headers.get('content-type'),
          contentLength: request.headers.get('content-length'),
          contentEncoding: request.headers.get('content-encoding'),
          authorization: request.headers.get('authorization'),
          deviceKey: request.headers.get(runtime.config.deviceKeyHeader),
          query: request.query,
          idempotencyKey: request.headers.get('idempotency-key'),
          forwardedFor: request.headers.get('x-forwarded-for'),
          body: request.body,
        },
        trace,
      );
      answer = outcomeToHttp(result);
      outcome = result.status;
    } catch (err) {
      answer = errorToHttp(err, runtime.config.retryAfterSeconds);
      outcome = (answer.jsonBody as { error: string }).error;
      if (answer.status >= 500) error = describeError(err);
    }
    const { deviceId, ...facts } = trace;
    const line = formatRequestLog({
      event: 'ingest',
      device: deviceId,
      outcome,
      status: answer.status,
      ...facts,
      ms: performance.now() - started,
      error,
    });
    // Our faults are errors, the device's refusals warnings: both stand out in the traces' severityLevel.
    if (answer.status >= 500) context.error(line);
    else if (answer.status >= 400) context.warn(line);
    else context.log(line);
    return answer;
  };

export const ingestHandler = createIngestHandler();

app.http('ingest', {
  // Every method is routed here so the wrong one gets 405 + Allow rather than a bare 404.
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  route: 'ingest/{deviceId}',
  handler: ingestHandler,
});
