/**
 * An HTTP proxy that forwards to a real server (Azurite, or the function host) and injects faults
 * into chosen requests: it sits *between* a real client and a real server, so the code under test
 * sees exactly what a flaky network or a struggling service produces. Used by the storage-fault
 * tests, the benchmark's round-trip count and the gateway simulator. Besides fixed rules:
 *   - rules can fire with a probability drawn from a seeded generator, for a number of times or forever;
 *   - `truncateBody`: forward only part of the request body, then cut both connections;
 *   - `delayRequest`: hold the request before forwarding it, and drop it if the client went away
 *     meanwhile (so killing the client during the hold means the request never happens);
 *   - `refuse()`/`accept()`: stop and resume listening, so clients get a real ECONNREFUSED;
 *   - hooks (`onFault`) to act at the exact moment a fault takes effect (e.g. SIGKILL the host while
 *     its blob PUT is held), per-rule counters, and an optional request log.
 */
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Rng } from '../simulator/random';

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface ProxyLogEntry {
  /** The proxy's name, to tell several proxies apart in one shared log. */
  via: string;
  method: string;
  path: string;
  fault?: ChaosFault;
}

export const ChaosFault = {
  /** Answer 503 without forwarding. */
  Status503: 'status503',
  /** Answer 500 without forwarding. */
  Status500: 'status500',
  /** Close the connection before forwarding: the request never arrives. */
  Reset: 'reset',
  /** Never answer and never forward: the client must time out. */
  Hang: 'hang',
  /** Forward, let the server act, then close the connection instead of answering. */
  DropResponse: 'dropResponse',
  /** Forward, then hold the answer back for `delayMs` (the server has acted). */
  Delay: 'delay',
  /** Hold the request for `delayMs` before forwarding; dropped if the client left meanwhile. */
  DelayRequest: 'delayRequest',
  /** Forward the headers and only part of the body, then close both connections. */
  TruncateBody: 'truncateBody',
} as const;
export type ChaosFault = (typeof ChaosFault)[keyof typeof ChaosFault];

export type FaultPhase = 'matched' | 'answered' | 'abandoned';

export interface ChaosRule {
  /** Counter name in the report; defaults to the fault kind. */
  label?: string;
  match: (request: ProxiedRequest) => boolean;
  fault: ChaosFault;
  /** Chance that a matching request gets the fault (default 1). */
  probability?: number;
  /** How many requests get the fault; unlimited when omitted. */
  times?: number;
  delayMs?: number;
  /** Extra headers for status answers (e.g. Retry-After, x-ms-error-code). */
  headers?: Record<string, string>;
  /** `matched`: chosen for this request; `answered`: the server answered (it has acted); `abandoned`: a held request was dropped. */
  onFault?: (phase: FaultPhase, request: ProxiedRequest) => void;
}

export class ChaosProxy {
  private rules: ChaosRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: Server;
  private port = 0;
  /** Requests seen, and faults applied per label. */
  requests = 0;
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly target: { host: string; port: number },
    /** Draws for rules with a `probability`; rules without one always apply. */
    private readonly rng: Rng = new Rng(1),
    readonly name = 'proxy',
    /** Pass one array to several proxies to see their traffic in order. */
    readonly log?: ProxyLogEntry[],
  ) {}

  get listeningPort(): number {
    return this.port;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    this.server = server;
    this.port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    return this.port;
  }

  /** Stop accepting connections (clients get ECONNREFUSED); connections already open carry on. */
  refuse(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** Listen again on the same port after `refuse()`. */
  async accept(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  get accepting(): boolean {
    return this.server !== undefined;
  }

  /** Rules are tried in order; the first that matches (and wins its draw) applies. */
  add(rule: ChaosRule, options: { first?: boolean } = {}): ChaosRule {
    if (options.first) this.rules.unshift(rule);
    else this.rules.push(rule);
    return rule;
  }

  remove(rule: ChaosRule): void {
    this.rules = this.rules.filter((r) => r !== rule);
  }

  clear(): void {
    this.rules = [];
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private choose(info: ProxiedRequest): ChaosRule | undefined {
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (!rule.match(info)) continue;
      if (rule.probability !== undefined && !this.rng.chance(rule.probability)) continue;
      if (rule.times !== undefined) rule.times--;
      const label = rule.label ?? rule.fault;
      this.counts[label] = (this.counts[label] ?? 0) + 1;
      return rule;
    }
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    const info: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    const rule = this.choose(info);
    this.log?.push({ via: this.name, method: info.method, path: info.path, fault: rule?.fault });
    rule?.onFault?.('matched', info);

    switch (rule?.fault) {
      case ChaosFault.Status503:
      case ChaosFault.Status500: {
        const status = rule.fault === ChaosFault.Status503 ? 503 : 500;
        req.resume();
        req.on('end', () => res.writeHead(status, { 'content-length': '0', ...(rule.headers ?? {}) }).end());
        return;
      }
      case ChaosFault.Reset:
        req.socket.destroy();
        return;
      case ChaosFault.Hang:
        req.resume();
        return;
      case ChaosFault.TruncateBody:
        this.truncate(req, info);
        return;
      case ChaosFault.DelayRequest:
        this.later(rule.delayMs ?? 1000, () => {
          if (req.socket.destroyed || res.closed) {
            rule.onFault?.('abandoned', info);
            req.resume();
            return;
          }
          this.forward(req, res, info, rule);
        });
        return;
      default:
        this.forward(req, res, info, rule);
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, info: ProxiedRequest, rule?: ChaosRule): void {
    const upstream = forward(
      { ...this.target, method: info.method, path: info.path, headers: req.headers, agent: false },
      (answer) => {
        rule?.onFault?.('answered', info);
        if (rule?.fault === ChaosFault.DropResponse) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        const relay = () => {
          if (res.closed || req.socket.destroyed) {
            answer.resume();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (rule?.fault === ChaosFault.Delay) this.later(rule.delayMs ?? 1000, relay);
        else relay();
      },
    );
    // The server is down or cut the connection: the client sees its connection reset.
    upstream.on('error', () => req.socket.destroy());
    // A client that leaves mid-body must not leave the server waiting for the rest.
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    // Nor one that gives up waiting for the answer (its timeout): like a real proxy, drop the upstream
    // connection too, or a server that never answers keeps it open for good.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private truncate(req: IncomingMessage, info: ProxiedRequest): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = forward({
        ...this.target,
        method: info.method,
        path: info.path,
        headers: req.headers,
        agent: false,
      });
      upstream.on('error', () => undefined);
      upstream.on('response', (answer) => answer.resume());
      const cut = Math.floor(body.byteLength * this.rng.float(0.05, 0.95));
      upstream.flushHeaders();
      upstream.write(body.subarray(0, cut), () => {
        this.later(20, () => {
          upstream.destroy();
          req.socket.destroy();
        });
      });
    });
  }
}
