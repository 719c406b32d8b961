import type { Server } from 'node:http';
import { createIngestHandler } from '../../functions/ingest';
import { DevHost } from '../../scripts/dev/devHost';
import type { TestApp } from './testApp';

export interface ServedApp {
  /** e.g. http://127.0.0.1:40123/api/ingest */
  ingestUrl: string;
  port: number;
  /** Resolves with the first log line that matches. */
  logLine(pattern: RegExp): Promise<string>;
  close(): Promise<void>;
}

/**
 * A test app's real ingest handler served over HTTP by the dev host (streaming bodies, the socket
 * address appended to X-Forwarded-For as Azure's front end does), in this process on a free port.
 */
export async function serveOverHttp(app: TestApp): Promise<ServedApp> {
  const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const log = (line: string) => {
    app.logs.push(line);
    for (const w of waiting.filter((w) => w.pattern.test(line))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  };
  const host = new DevHost({
    functions: [
      {
        name: 'ingest',
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        route: 'ingest/{deviceId}',
        authLevel: 'anonymous',
        handler: createIngestHandler(() => app.runtime) as (request: unknown, context: unknown) => unknown,
      },
    ],
    routePrefix: 'api',
    httpStream: true,
    log,
  });
  const { server, url } = await host.listen(0);
  const port = Number(new URL(url).port);
  return {
    ingestUrl: `${url}/api/ingest`,
    port,
    logLine: (pattern) =>
      new Promise((resolve) => {
        const seen = app.logs.find((line) => pattern.test(line));
        if (seen) resolve(seen);
        else waiting.push({ pattern, resolve });
      }),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
