/**
 * A small stand-in for `func start`: serves the registered v4 HTTP functions on node:http (and
 * node:https), turning each request into an `HttpRequest` + `InvocationContext` and the handler's
 * `HttpResponseInit` back into a response. Routes are `/{routePrefix}/{route}` as in the real host.
 */
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RegisteredHttpFunction } from './loadFunctionApp';

/** The Functions host refuses bodies above 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) before the worker sees them. */
const HOST_MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface DevHostOptions {
  functions: RegisteredHttpFunction[];
  routePrefix: string;
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

  constructor(options: DevHostOptions) {
    this.prefix = options.routePrefix.split('/').filter(Boolean);
    this.log = options.log ?? ((line) => console.log(line));
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
      req.resume();
      res.writeHead(413).end();
      return;
    }
    const body = await readAll(req, HOST_MAX_BODY_BYTES);
    if (!body) {
      res.writeHead(413).end();
      return;
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    // Like Azure's front end: the connecting address is appended to X-Forwarded-For.
    const peer = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;

    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      params,
      body: method === 'GET' || method === 'HEAD' ? undefined : { bytes: body },
    });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: route.fn.name,
      logHandler: (level, ...args) => this.log(`[${route.fn.name}] ${level}: ${args.map(String).join(' ')}`),
    });
    const result = (await route.fn.handler(request, context)) as HttpResponseInit | undefined;
    const response = new HttpResponse(result ?? { status: 204 });
    const bytes = Buffer.from(await response.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (outHeaders[name] = value));
    res.writeHead(response.status, { ...outHeaders, 'content-length': String(bytes.byteLength) });
    res.end(method === 'HEAD' ? undefined : bytes);
  }
}

function readAll(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > max) {
        req.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, total)));
    req.on('error', reject);
  });
}
