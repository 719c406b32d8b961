/**
 * A load balancer in miniature: each HTTP request goes to the next upstream in turn (per request,
 * not per connection), so identical requests sent at once really are split across instances.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RoundRobinProxy {
  private next = 0;
  private server?: Server;
  /** How many requests each upstream received. */
  readonly served: number[];

  constructor(private readonly upstreams: number[]) {
    this.served = upstreams.map(() => 0);
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const index = this.next++ % this.upstreams.length;
      this.served[index]!++;
      const upstream = request(
        {
          host: '127.0.0.1',
          port: this.upstreams[index],
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
