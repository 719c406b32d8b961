import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** The endpoint's answer, or why there was none. */
export type HttpResult =
  | { kind: 'answer'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'failure'; code: string; message: string };

const MAX_ANSWER_BYTES = 256 * 1024;

export interface PostOptions {
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Keep-alive connections to the endpoint, at most `concurrency` of them. With `--ca` the private CA
 * is trusted in addition to the usual public roots (a proxy in front may use either).
 */
export class EndpointClient {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(url: URL, concurrency: number, caPem?: string) {
    const common = { keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency };
    if (url.protocol === 'https:') {
      this.agent = new HttpsAgent({ ...common, ...(caPem ? { ca: [...rootCertificates, caPem] } : {}) });
      this.send = httpsRequest;
    } else {
      this.agent = new HttpAgent(common);
      this.send = httpRequest;
    }
  }

  /** One POST with a deadline for the whole exchange; never throws. */
  post(url: URL, options: PostOptions): Promise<HttpResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: HttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const req = this.send(url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...options.headers, 'content-length': String(options.body.byteLength) },
      });
      const timer = setTimeout(() => {
        finish({ kind: 'failure', code: 'timeout', message: `no answer within ${options.timeoutMs} ms` });
        req.destroy();
      }, options.timeoutMs);
      const onAbort = () => {
        finish({ kind: 'failure', code: 'aborted', message: 'interrupted' });
        req.destroy();
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({ kind: 'failure', code: err.code ?? err.name, message: err.message }),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.byteLength;
          if (length <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) =>
          finish({ kind: 'failure', code: err.code ?? err.name, message: err.message }),
        );
        // An answer cut off mid-body is no answer: the request may or may not have been stored.
        res.on('close', () => {
          if (!res.complete) finish({ kind: 'failure', code: 'ECONNRESET', message: 'answer cut off' });
        });
        res.on('end', () =>
          finish({
            kind: 'answer',
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      if (options.signal.aborted) onAbort();
      else req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
