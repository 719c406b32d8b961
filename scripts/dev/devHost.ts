/**
 * A small stand-in for `func start`: serves the registered v4 HTTP functions on node:http (and
 * node:https), turning each request into an `HttpRequest` + `InvocationContext` and the handler's
 * `HttpResponseInit` back into a response. Routes are `/{routePrefix}/{route}` as in the real host.
 *
 * The body reaches the handler as a stream, not buffered, as with `app.setup({ enableHttpStream })`
 * in Azure: the handler's own cap decides how much of an oversized body is ever read.
 */
import {
  HttpRequest,
  type HttpRequestInit,
  HttpResponse,
  type HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RegisteredHttpFunction } from './loadFunctionApp';

/** The Functions host refuses bodies above 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) before the worker sees them. */
const HOST_MAX_BODY_BYTES = 100 * 1024 * 1024;
const UNREAD_BODY_GRACE_MS = 2_000;

export interface DevHostOptions {
  functions: RegisteredHttpFunction[];
  routePrefix: string;
  /** As the app's `app.setup({ enableHttpStream })`: otherwise the body is buffered first, as the host does. */
  httpStream: boolean;
  log?: (line: string) => void;
}

interface CompiledRoute {
  fn: RegisteredHttpFunction;
  segments: Array<{ literal: string } | { param: string }>;
}

export class DevHost {
  private readonly routes: CompiledRoute[];
  private readonly prefix: string[];
  private readonly log: (line: string) => void;
  private readonly httpStream: boolean;

  constructor(options: DevHostOptions) {
    this.prefix = options.routePrefix.split('/').filter(Boolean);
    this.log = options.log ?? batchedStdout();
    this.httpStream = options.httpStream;
    this.routes = options.functions.map((fn) => ({
      fn,
      segments: fn.route
        .split('/')
        .filter(Boolean)
        .map((s) =>
          /^\{(\w+)(:[^}]*)?\??\}$/.test(s)
            ? { param: /^\{(\w+)/.exec(s)![1]! }
            : { literal: s.toLowerCase() },
        ),
    }));
  }

  listen(port: number, host = '127.0.0.1', tls?: HttpsOptions): Promise<{ server: Server; url: string }> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res, tls ? 'https' : 'http').catch((err: unknown) => {
        this.log(`dev host: unhandled ${(err as Error).name}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };
    const server = tls
      ? createHttpsServer({ minVersion: 'TLSv1.2', ...tls }, handler)
      : createServer(handler);
    server.on('clientError', onClientError);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address() as AddressInfo;
        resolve({ server, url: `${tls ? 'https' : 'http'}://${host}:${address.port}` });
      });
    });
  }

  private match(pathname: string): { route?: CompiledRoute; params: Record<string, string> } {
    const parts = pathname.split('/').filter(Boolean);
    const prefixOk = this.prefix.every((p, i) => parts[i]?.toLowerCase() === p.toLowerCase());
    if (!prefixOk) return { params: {} };
    const rest = parts.slice(this.prefix.length);
    for (const route of this.routes) {
      if (route.segments.length !== rest.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((segment, i) => {
        const part = rest[i]!;
        if ('literal' in segment) return part.toLowerCase() === segment.literal;
        try {
          params[segment.param] = decodeURIComponent(part);
          return true;
        } catch {
          return false;
        }
      });
      if (ok) return { route, params };
    }
    return { params: {} };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, scheme: string): Promise<void> {
    const url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
    const { route, params } = this.match(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    if (!route || !route.fn.methods.includes(method)) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > HOST_MAX_BODY_BYTES) {
      closeAfter(req, res);
      res.writeHead(413).end();
      return;
    }
    // Whatever the handler leaves unread is discarded, and the connection closed soon after the answer.
    closeAfter(req, res);

    // headersDistinct keeps every copy of a repeated header (node's `headers` drops repeated
    // Authorization); joined with ", " as a proxy would, so the handler can refuse the ambiguity.
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(req.headersDistinct)) {
      if (values !== undefined) headers[name] = values.join(', ');
    }
    // Like Azure's front end: the connecting address is appended to X-Forwarded-For.
    const peer = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;

    const hasBody = method !== 'GET' && method !== 'HEAD';
    // Without streaming the real host reads the whole body (up to its limit) before the worker runs.
    const buffered = hasBody && !this.httpStream ? await readAll(req, HOST_MAX_BODY_BYTES) : undefined;
    if (hasBody && !this.httpStream && !buffered) {
      res.writeHead(413).end();
      return;
    }
    // The library's own streaming path (createStreamRequest) builds its HttpRequest the same way:
    // from a fetch Request whose body is the incoming stream.
    const nativeRequest = new Request(url, {
      method,
      headers,
      body: !hasBody ? undefined : this.httpStream ? bodyStream(req) : buffered,
      duplex: 'half',
    } as RequestInit);
    const request = new HttpRequest({ nativeRequest, params } as HttpRequestInit);
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: route.fn.name,
      logHandler: (level, ...args) => this.log(`[${route.fn.name}] ${level}: ${args.map(String).join(' ')}`),
    });
    const result = (await route.fn.handler(request, context)) as HttpResponseInit | undefined;
    const { status, headers: outHeaders, bytes } = await toWire(result ?? { status: 204 });
    res.writeHead(status, { ...outHeaders, 'content-length': String(bytes.byteLength) });
    res.end(method === 'HEAD' ? undefined : bytes);
  }
}

/** The body stream of the request in flight on a socket, to fail when the connection breaks mid-body. */
const bodyInFlight = new WeakMap<Socket, (err: Error) => void>();

/**
 * A connection that ends mid-body (the client half-closed it, or a proxy cut it) is a parse error
 * to node, which would answer its own 400 and destroy the socket. Like the Functions host, the dev
 * host instead fails the handler's body stream and leaves the answer to the handler (408): it
 * reaches the client if the client still listens. Other parse errors get node's usual answer.
 */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  const failBody = bodyInFlight.get(socket);
  if (failBody) {
    bodyInFlight.delete(socket);
    failBody(err);
    return;
  }
  if (err.code !== 'ECONNRESET' && socket.writable) {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy();
}

/**
 * The request body as a web stream that reads on demand. Cancelling it (the handler hit its cap)
 * stops reading without destroying the socket, so the handler's 413 still reaches the client.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (err: Error) => {
          if (!done) controller.error(err);
          done = true;
        };
        bodyInFlight.set(req.socket, fail);
        req.once('close', () => bodyInFlight.get(req.socket) === fail && bodyInFlight.delete(req.socket));
        req.pause();
        req.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (!done) controller.close();
          done = true;
        });
        req.once('error', fail);
      },
      pull() {
        req.resume();
      },
      cancel() {
        done = true;
        req.pause();
      },
    },
    { highWaterMark: 4 },
  );
}

/**
 * When the answer goes out before the body was read to its end (413), the rest is discarded, not
 * buffered, and the connection is closed after a grace period. Not at once (nor with `Connection:
 * close`, which makes node close the socket right after the answer): a client still uploading
 * would get EPIPE/ECONNRESET instead of reading the 413.
 */
function closeAfter(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete) return;
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), UNREAD_BODY_GRACE_MS).unref();
    // A body that then arrives whole leaves the connection usable: a keep-alive client sends its
    // next request on it, and destroying it under that request would fail it for nothing.
    req.once('end', () => clearTimeout(timer));
  });
}

function readAll(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > max) {
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, total)));
    req.on('error', reject);
  });
}

/**
 * One stdout write per event-loop turn instead of one per line: stdout to a pipe is synchronous on
 * Linux, and a write per request line was a tenth of the dev host's CPU under load.
 */
function batchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    process.stdout.write(pending.join(''));
    pending = [];
  };
  process.once('exit', () => pending.length && flush());
  return (line) => {
    if (pending.push(`${line}\n`) === 1) setImmediate(flush);
  };
}

/**
 * The handler's answer as the host sends it. A plain `jsonBody` answer (all the ingest function
 * returns) is serialised directly, as HttpResponse does it (JSON text, `application/json` unless a
 * content type is set), without building a fetch Response and reading it back: that round trip was
 * a measurable share of the dev host's CPU per request. Anything else goes through HttpResponse.
 */
export async function toWire(
  result: HttpResponseInit,
): Promise<{ status: number; headers: Record<string, string>; bytes: Buffer }> {
  const plainJson =
    result.jsonBody !== undefined &&
    result.body === undefined &&
    result.cookies === undefined &&
    ![101, 204, 205, 304].includes(result.status ?? 200);
  if (plainJson && (result.headers === undefined || isRecord(result.headers))) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    headers['content-type'] ??= 'application/json';
    return { status: result.status ?? 200, headers, bytes: Buffer.from(JSON.stringify(result.jsonBody)) };
  }
  const response = new HttpResponse(result);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

function isRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !(value instanceof Headers) && !Array.isArray(value);
}
