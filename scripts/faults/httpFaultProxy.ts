/**
 * An HTTP proxy that forwards to a real server (Azurite, or the function host) and injects faults
 * into chosen requests. It sits *between* a real client and a real server, so the code under test
 * sees exactly what a flaky network or a struggling service produces.
 */
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FaultKind = {
  /** Answer 503 ServerBusy without forwarding. */
  Status503: 'status503',
  /** Answer 500 InternalError without forwarding. */
  Status500: 'status500',
  /** Close the connection before forwarding: the request never arrives. */
  Reset: 'reset',
  /** Never answer: the client must time out. */
  Hang: 'hang',
  /** Forward, let the server act, then close the connection instead of answering: done but not acknowledged. */
  DropResponse: 'dropResponse',
  /** Forward, then hold the answer back for `delayMs`. */
  Delay: 'delay',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface FaultRule {
  match: (request: ProxiedRequest) => boolean;
  fault: FaultKind;
  /** How many matching requests get the fault; unlimited when omitted. */
  times?: number;
  delayMs?: number;
}

export interface ProxyLogEntry {
  via: string;
  method: string;
  path: string;
  fault?: FaultKind;
}

export class HttpFaultProxy {
  private readonly rules: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  constructor(
    private readonly target: { host: string; port: number },
    /** Pass one array to several proxies to see their traffic in order. */
    readonly log: ProxyLogEntry[] = [],
    /** Tags this proxy's entries in a shared log. */
    private readonly name = '',
  ) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((req, res) => {
      const info: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
      };
      const rule = this.rules.find((r) => (r.times === undefined || r.times > 0) && r.match(info));
      if (rule && rule.times !== undefined) rule.times--;
      this.log.push({ via: this.name, method: info.method, path: info.path, fault: rule?.fault });

      switch (rule?.fault) {
        case FaultKind.Status503:
        case FaultKind.Status500: {
          const status = rule.fault === FaultKind.Status503 ? 503 : 500;
          req.resume();
          req.on('end', () =>
            res
              .writeHead(status, {
                'x-ms-error-code': status === 503 ? 'ServerBusy' : 'InternalError',
                'content-length': '0',
              })
              .end(),
          );
          return;
        }
        case FaultKind.Reset:
          req.socket.destroy();
          return;
        case FaultKind.Hang:
          req.resume();
          return;
      }

      const upstream = forward(
        {
          host: this.target.host,
          port: this.target.port,
          method: info.method,
          path: info.path,
          headers: req.headers,
        },
        (answer) => {
          if (rule?.fault === FaultKind.DropResponse) {
            answer.resume();
            answer.on('end', () => req.socket.destroy());
            return;
          }
          const relay = () => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          };
          if (rule?.fault === FaultKind.Delay) setTimeout(relay, rule.delayMs ?? 1000);
          else relay();
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  inject(rule: FaultRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.rules.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}
