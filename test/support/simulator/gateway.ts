/**
 * A simulated field gateway, behaving like the real one: a buffer folder of JSON files, oldest first,
 * one POST per file, the file deleted ONLY on HTTP 200, otherwise kept and retried with exponential
 * backoff and jitter (honouring Retry-After). A 4xx other than 408/429 moves the file to a quarantine
 * folder (retrying the same bytes cannot help). Each request has a client timeout.
 *
 * A Device produces files continuously into the buffer folder of each of its gateways (two gateways
 * sharing one device's files model a duplicated buffer copy sent by two processes at once).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fs } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Ledger } from './ledger';
import { OilConditionSource, type PayloadOptions } from './payload';
import type { Rng } from './random';

export type AttemptOutcome =
  | 'stored'
  | 'duplicate'
  | 'status503'
  | 'status500'
  | 'status4xx'
  | 'status429'
  | 'statusOther'
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'otherError';

export interface RetryPolicy {
  /** First backoff; doubles per failed attempt of the same file. */
  baseMs: number;
  /** Largest backoff (Retry-After may ask for more, up to maxRetryAfterMs). */
  capMs: number;
  maxRetryAfterMs: number;
  /** Client timeout per request: shorter than the server's worst case on purpose. */
  timeoutMs: number;
}

export interface GatewayStats {
  requests: number;
  outcomes: Record<AttemptOutcome, number>;
  deleted: number;
  quarantined: number;
  maxBacklog: number;
  /** Longest a single file waited between production and its 200. */
  maxFileLatencyMs: number;
}

export const newOutcomes = (): Record<AttemptOutcome, number> => ({
  stored: 0,
  duplicate: 0,
  status503: 0,
  status500: 0,
  status4xx: 0,
  status429: 0,
  statusOther: 0,
  timeout: 0,
  refused: 0,
  reset: 0,
  otherError: 0,
});

export interface GatewayOptions {
  deviceId: string;
  /** Unique per gateway, e.g. truck-003 or truck-003#b. */
  name: string;
  dir: string;
  baseUrl: () => string;
  rng: Rng;
  policy: RetryPolicy;
  ledger: Ledger;
  /** Sent as `Authorization: Bearer <key>` when set. */
  deviceKey?: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export class Gateway {
  readonly stats: GatewayStats = {
    requests: 0,
    outcomes: newOutcomes(),
    deleted: 0,
    quarantined: 0,
    maxBacklog: 0,
    maxFileLatencyMs: 0,
  };
  readonly quarantineDir: string;
  private backlogCount = 0;
  private stopping = false;
  /** Ends the current sleep early; `idle` sleeps also end when a file arrives, backoffs do not. */
  private wake?: { done: () => void; idle: boolean };
  private readonly producedAt = new Map<string, number>();

  constructor(readonly options: GatewayOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.quarantineDir = join(options.dir, '..', `${options.name.replace(/[^\w.-]/g, '_')}.quarantine`);
  }

  get backlog(): number {
    return this.backlogCount;
  }

  /** Called by the producer after a file landed (atomically) in the buffer folder. */
  fileAdded(fileName: string): void {
    this.backlogCount++;
    this.producedAt.set(fileName, Date.now());
    this.stats.maxBacklog = Math.max(this.stats.maxBacklog, this.backlogCount);
    if (this.wake?.idle) this.wake.done();
  }

  /** Finish the current request and stop. */
  stop(): void {
    this.stopping = true;
    this.wake?.done();
  }

  async run(): Promise<void> {
    let attempt = 0;
    let current: string | undefined;
    while (!this.stopping) {
      const next = await this.oldestFile();
      if (!next) {
        await this.sleep(1000, true);
        continue;
      }
      if (next !== current) attempt = 0;
      current = next;
      const path = join(this.options.dir, next);
      const bytes = await fs.readFile(path);
      const entry = this.options.ledger.get(this.options.deviceId, sha256(bytes));
      const result = await this.post(bytes);
      this.stats.requests++;
      this.stats.outcomes[result.outcome]++;

      if (result.outcome === 'stored' || result.outcome === 'duplicate') {
        if (entry) {
          if (result.outcome === 'stored') entry.storedAnswers++;
          else entry.duplicateAnswers++;
          if (result.sha256 !== entry.sha256) entry.wrongAcks++;
          if (result.blob) entry.ackedBlobs.add(result.blob);
        }
        await fs.unlink(path);
        if (entry) entry.deleted++;
        this.stats.deleted++;
        this.backlogCount--;
        const since = this.producedAt.get(next);
        if (since !== undefined)
          this.stats.maxFileLatencyMs = Math.max(this.stats.maxFileLatencyMs, Date.now() - since);
        this.producedAt.delete(next);
        continue;
      }
      if (result.outcome === 'status4xx') {
        // The same bytes will be refused again: set the file aside and alert (here: count it).
        mkdirSync(this.quarantineDir, { recursive: true });
        await fs.rename(path, join(this.quarantineDir, next));
        if (entry) entry.quarantined++;
        this.stats.quarantined++;
        this.backlogCount--;
        continue;
      }
      attempt++;
      await this.sleep(this.backoff(attempt, result.retryAfterMs), false);
    }
  }

  /** Exponential backoff with "equal jitter", at least what Retry-After asked for. */
  backoff(attempt: number, retryAfterMs?: number): number {
    const { baseMs, capMs, maxRetryAfterMs } = this.options.policy;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 30));
    const jittered = ceiling / 2 + this.options.rng.float(0, ceiling / 2);
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, maxRetryAfterMs));
  }

  private async oldestFile(): Promise<string | undefined> {
    const names = await fs.readdir(this.options.dir);
    // Files are named by a zero-padded sequence number; .tmp files are still being written.
    return names.filter((n) => n.endsWith('.json')).sort()[0];
  }

  private sleep(ms: number, idle: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = {
        idle,
        done: () => {
          clearTimeout(timer);
          if (this.wake === wake) this.wake = undefined;
          resolve();
        },
      };
      const timer = setTimeout(wake.done, ms);
      this.wake = wake;
    });
  }

  post(
    bytes: Buffer,
  ): Promise<{ outcome: AttemptOutcome; sha256?: string; blob?: string; retryAfterMs?: number }> {
    const url = new URL(`/api/ingest/${encodeURIComponent(this.options.deviceId)}`, this.options.baseUrl());
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(bytes.byteLength),
    };
    if (this.options.deviceKey) headers.authorization = `Bearer ${this.options.deviceKey}`;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: Awaited<ReturnType<Gateway['post']>>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const req = request(url, { method: 'POST', headers, agent: false });
      const timer = setTimeout(() => {
        finish({ outcome: 'timeout' });
        req.destroy();
      }, this.options.policy.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: classifyError(err) }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => finish({ outcome: 'reset' }));
        res.on('aborted', () => finish({ outcome: 'reset' }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const retryAfter = Number(res.headers['retry-after']);
          const retryAfterMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
          if (status === 200) {
            let body: { status?: string; sha256?: string; blob?: string } = {};
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
            } catch {
              // A 200 we cannot read is still a 200: the gateway deletes the file.
            }
            finish({
              outcome: body.status === 'duplicate' ? 'duplicate' : 'stored',
              sha256: body.sha256,
              blob: body.blob,
            });
          } else if (status === 503) finish({ outcome: 'status503', retryAfterMs });
          else if (status >= 500) finish({ outcome: 'status500', retryAfterMs });
          else if (status === 429) finish({ outcome: 'status429', retryAfterMs });
          else if (status === 408) finish({ outcome: 'statusOther', retryAfterMs });
          else if (status >= 400) finish({ outcome: 'status4xx' });
          else finish({ outcome: 'statusOther', retryAfterMs });
        });
      });
      req.end(bytes);
    });
  }
}

function classifyError(err: NodeJS.ErrnoException): AttemptOutcome {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/.test(err.message)) return 'reset';
  return 'otherError';
}

/** One device: produces files continuously into the buffer folder of each of its gateways. */
export class Device {
  readonly gateways: Gateway[];
  produced = 0;
  private readonly source: OilConditionSource;

  constructor(
    readonly deviceId: string,
    gateways: Gateway[],
    private readonly ledger: Ledger,
    rng: Rng,
    payload?: PayloadOptions,
  ) {
    this.gateways = gateways;
    this.source = new OilConditionSource(deviceId, rng, payload);
  }

  /** Writes the next file into every gateway's folder (write to .tmp, then rename: never half a file). */
  async produceOne(): Promise<void> {
    const { sequence, json } = this.source.nextFile();
    const bytes = Buffer.from(json, 'utf8');
    this.ledger.produce(this.deviceId, sha256(bytes), bytes.byteLength, sequence, this.gateways.length);
    const name = `${String(sequence).padStart(7, '0')}.json`;
    for (const gateway of this.gateways) {
      const tmp = join(gateway.options.dir, `${name}.tmp`);
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, join(gateway.options.dir, name));
      gateway.fileAdded(name);
    }
    this.produced++;
  }
}
