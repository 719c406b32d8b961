/**
 * Post-deploy smoke test:
 *
 *   npm run smoke -- <baseUrl> <deviceId> <key> [--blob-endpoint <url>] [--container <name>]
 *
 * <baseUrl> is the Function App URL (azd output FUNCTION_APP_URL, e.g. https://func-api-xyz.azurewebsites.net),
 * or the INGEST_ENDPOINT template with its {deviceId} placeholder. <key> is the device key issued by
 * the device CLI. `--blob-endpoint` is the data storage account's blob endpoint (azd output
 * DATA_STORAGE_BLOB_ENDPOINT, that environment variable is the fallback: no host name is assumed, so
 * sovereign clouds work too), read with the caller's own Entra ID sign-in
 * (DefaultAzureCredential: azd auth login, az login, ...). `--container` (fallback RAW_CONTAINER) is
 * the container the answers must name; without it, whatever the first answer names.
 *
 * 1. One realistic oil-condition upload with a fresh Idempotency-Key: 200 `stored` whose `sha256` is
 *    that of the bytes sent.
 * 2. The identical request again: 200 `duplicate` naming the same blob.
 * 3. Another upload, gzip-compressed (Content-Encoding: gzip): 200 `stored` whose `sha256` is that of
 *    the uncompressed bytes.
 * 4. An upload starting with a UTF-8 byte-order mark: 400 `invalid_json`.
 * 5. The blob of the first upload, downloaded from storage: its SHA-256 is the answer's `sha256`.
 *
 * Exits 0 on success, 1 with a message saying what differed, 2 on bad usage.
 *
 * Right after `azd up`, role assignments can take a few minutes to reach storage, and a cold Flex
 * instance may answer 5xx: the first send and the download are retried (the send with the same key,
 * so still exactly one blob).
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { parseSmokeArguments } from './smokeArguments';

export { parseSmokeArguments, type SmokeArguments } from './smokeArguments';

/** Reads one stored blob's bytes. */
export type DownloadBlob = (container: string, name: string) => Promise<Buffer>;

export interface SmokeOptions {
  baseUrl: string;
  deviceId: string;
  key: string;
  /** Blob endpoint of the data storage account the stored blob is read back from (default downloadBlob). */
  blobEndpoint?: string;
  /** The container every answer must name; default: whatever the first answer names. */
  container?: string;
  /** How the stored blob is read back; default: the account's blob endpoint with DefaultAzureCredential. */
  downloadBlob?: DownloadBlob;
  /** Attempts for the first send (5xx or unreachable) and for the download (any error). */
  attempts?: number;
  /** Delay between those attempts when the response has no Retry-After. */
  retryDelayMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface SmokeResult {
  url: string;
  idempotencyKey: string;
  container: string;
  blob: string;
  /** SHA-256 of the first upload, as answered and as read back from storage. */
  sha256: string;
  /** The blob of the gzip-compressed upload. */
  gzipBlob: string;
}

export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

interface IngestAnswer {
  status?: unknown;
  container?: unknown;
  blob?: unknown;
  sha256?: unknown;
  error?: unknown;
  message?: unknown;
}

interface Sent {
  status: number;
  text: string;
  retryAfter: string | null;
}

/** `<base>/api/ingest/<deviceId>`, or the {deviceId} template filled in. */
export function ingestUrl(baseUrl: string, deviceId: string): string {
  const id = encodeURIComponent(deviceId);
  if (baseUrl.includes('{deviceId}')) return baseUrl.replace('{deviceId}', id);
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SmokeFailure(`not an http(s) URL: ${baseUrl}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/ingest/${id}`;
}

/** A realistic upload: three buffered oil-condition readings, one minute apart, ending now. */
export function samplePayload(deviceId: string, now: Date = new Date()): unknown {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  return {
    deviceId,
    sentAt: now.toISOString(),
    readings: [
      { timestamp: at(2), oilTemperatureC: 85.2, densityKgM3: 871.4, viscosityCSt: 97.1 },
      { timestamp: at(1), oilTemperatureC: 86.0, densityKgM3: 871.1, viscosityCSt: 96.4 },
      { timestamp: at(0), oilTemperatureC: 86.9, densityKgM3: 870.8, viscosityCSt: 95.6 },
    ],
  };
}

/** Reads blobs from the account's blob endpoint as whoever is signed in on this machine. */
export function azureBlobDownloader(blobEndpoint: string): DownloadBlob {
  const service = new BlobServiceClient(blobEndpoint, new DefaultAzureCredential());
  return (container, name) => service.getContainerClient(container).getBlobClient(name).downloadToBuffer();
}

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function describeAnswer(status: number, text: string): string {
  const body = text.length > 500 ? `${text.slice(0, 500)}...` : text;
  return `HTTP ${status}: ${body || '(empty body)'}`;
}

function parse(text: string): IngestAnswer | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as IngestAnswer) : undefined;
  } catch {
    return undefined;
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What every step needs: the URL, how to post, log and wait, and the retry budget. */
interface SmokeRun {
  url: string;
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  attempts: number;
  retryDelayMs: number;
  downloadBlob: DownloadBlob;
  post(
    body: Uint8Array<ArrayBuffer> | string,
    idempotencyKey: string,
    headers?: Record<string, string>,
  ): Promise<Sent>;
  /** A step's single request: a network failure fails the step. */
  postOnce(
    step: string,
    body: Uint8Array<ArrayBuffer> | string,
    idempotencyKey: string,
    headers?: Record<string, string>,
  ): Promise<Sent>;
}

/** The first upload as answered: where it was stored and the hash of what was stored. */
interface FirstUpload {
  container: string;
  blob: string;
  sha256: string;
}

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const run = smokeRun(options);
  const idempotencyKey = randomUUID();
  const body = JSON.stringify(samplePayload(options.deviceId));
  run.log(`POST ${run.url} (Idempotency-Key ${idempotencyKey}, ${body.length} bytes)`);
  const first = await firstUpload(run, body, idempotencyKey, options.container);
  await resend(run, body, idempotencyKey, first);
  const gzipBlob = await gzipUpload(run, options.deviceId);
  await byteOrderMarkRefused(run, body);
  const sha256 = await readBack(run, first);
  return { url: run.url, idempotencyKey, container: first.container, blob: first.blob, sha256, gzipBlob };
}

function smokeRun(options: SmokeOptions): SmokeRun {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const downloadBlob =
    options.downloadBlob ?? (options.blobEndpoint ? azureBlobDownloader(options.blobEndpoint) : undefined);
  if (!downloadBlob) {
    throw new SmokeFailure(
      'no data storage account to read the stored blob back from: pass --blob-endpoint (or set DATA_STORAGE_BLOB_ENDPOINT)',
    );
  }
  const url = ingestUrl(options.baseUrl, options.deviceId);
  const post: SmokeRun['post'] = async (body, idempotencyKey, extraHeaders = {}) => {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${options.key}`,
        'Idempotency-Key': idempotencyKey,
        ...extraHeaders,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      text: await response.text(),
      retryAfter: response.headers.get('retry-after'),
    };
  };
  return {
    url,
    log: options.log ?? (() => undefined),
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    attempts: options.attempts ?? 6,
    retryDelayMs: options.retryDelayMs ?? 20_000,
    downloadBlob,
    post,
    postOnce: (step, ...args) =>
      post(...args).catch((error: unknown) => {
        throw new SmokeFailure(`${step} failed: ${reason(error)}`);
      }),
  };
}

/** 1. First send: expect `stored` (or `duplicate` if an earlier attempt of ours got through). */
async function firstUpload(
  run: SmokeRun,
  body: string,
  idempotencyKey: string,
  expectedContainer: string | undefined,
): Promise<FirstUpload> {
  const first = await postWithRetries(run, body, idempotencyKey);
  const answer = parse(first.text);
  const acceptable = ['stored', 'duplicate'];
  if (first.status !== 200 || !answer || !acceptable.includes(String(answer.status))) {
    throw new SmokeFailure(
      `first request: expected 200 {"status":"stored"}, got ${describeAnswer(first.status, first.text)}`,
    );
  }
  if (typeof answer.blob !== 'string' || !answer.blob) {
    throw new SmokeFailure(`first request: the answer names no blob: ${first.text}`);
  }
  const container = String(answer.container);
  if (expectedContainer !== undefined && container !== expectedContainer) {
    throw new SmokeFailure(`first request: expected container ${expectedContainer}, got ${container}`);
  }
  const bodySha256 = sha256Hex(body);
  if (answer.sha256 !== bodySha256) {
    throw new SmokeFailure(
      `first request: expected sha256 ${bodySha256} (of the bytes sent), got ${String(answer.sha256)}`,
    );
  }
  run.log(`  -> 200 ${String(answer.status)}: ${container}/${answer.blob}`);
  return { container, blob: answer.blob, sha256: bodySha256 };
}

/** The first send, retried with the same key on 5xx or no answer (a cold instance, roles still spreading). */
async function postWithRetries(run: SmokeRun, body: string, idempotencyKey: string): Promise<Sent> {
  for (let attempt = 1; ; attempt += 1) {
    let sent: Sent;
    try {
      sent = await run.post(body, idempotencyKey);
    } catch (error) {
      if (attempt >= run.attempts)
        throw new SmokeFailure(`first request failed after ${attempt} attempt(s): ${reason(error)}`);
      run.log(`  attempt ${attempt}: ${reason(error)}; retrying`);
      await run.sleep(run.retryDelayMs);
      continue;
    }
    if (sent.status < 500 || attempt >= run.attempts) return sent;
    const wait =
      sent.retryAfter && /^\d+$/.test(sent.retryAfter) ? Number(sent.retryAfter) * 1000 : run.retryDelayMs;
    run.log(
      `  attempt ${attempt}: ${describeAnswer(sent.status, sent.text)}; retrying in ${Math.round(wait / 1000)} s`,
    );
    await run.sleep(wait);
  }
}

/** 2. Resend the identical request: expect `duplicate` naming the same blob. */
async function resend(run: SmokeRun, body: string, idempotencyKey: string, first: FirstUpload) {
  const second = await run.postOnce('resend', body, idempotencyKey);
  const answer = parse(second.text);
  if (second.status !== 200 || answer?.status !== 'duplicate') {
    throw new SmokeFailure(
      `resend: expected 200 {"status":"duplicate"}, got ${describeAnswer(second.status, second.text)}`,
    );
  }
  if (answer.blob !== first.blob || answer.container !== first.container) {
    throw new SmokeFailure(
      `resend: expected the same blob ${first.container}/${first.blob}, ` +
        `got ${String(answer.container)}/${String(answer.blob)}`,
    );
  }
  run.log(`  -> 200 duplicate: same blob`);
}

/** 3. A gzip-compressed upload: stored, and `sha256` is that of the uncompressed JSON. */
async function gzipUpload(run: SmokeRun, deviceId: string): Promise<string> {
  const gzipKey = randomUUID();
  const gzipBody = JSON.stringify(samplePayload(deviceId));
  const compressed = gzipSync(gzipBody);
  run.log(
    `POST gzip (Idempotency-Key ${gzipKey}, ${gzipBody.length} bytes, ${compressed.length} compressed)`,
  );
  const zipped = await run.postOnce('gzip upload', compressed, gzipKey, { 'Content-Encoding': 'gzip' });
  const answer = parse(zipped.text);
  if (zipped.status !== 200 || answer?.status !== 'stored' || typeof answer.blob !== 'string') {
    throw new SmokeFailure(
      `gzip upload: expected 200 {"status":"stored"}, got ${describeAnswer(zipped.status, zipped.text)}`,
    );
  }
  if (answer.sha256 !== sha256Hex(gzipBody)) {
    throw new SmokeFailure(
      `gzip upload: expected sha256 ${sha256Hex(gzipBody)} (of the uncompressed bytes), ` +
        `got ${String(answer.sha256)}`,
    );
  }
  run.log(`  -> 200 stored: ${String(answer.container)}/${answer.blob}`);
  return answer.blob;
}

/** 4. A body starting with a UTF-8 byte-order mark: refused. */
async function byteOrderMarkRefused(run: SmokeRun, body: string): Promise<void> {
  const bomBody = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
  run.log(`POST with a byte-order mark (${bomBody.length} bytes)`);
  const bom = await run.postOnce('byte-order mark upload', bomBody, randomUUID());
  if (bom.status !== 400 || parse(bom.text)?.error !== 'invalid_json') {
    throw new SmokeFailure(
      `byte-order mark upload: expected 400 {"error":"invalid_json"}, got ${describeAnswer(bom.status, bom.text)}`,
    );
  }
  run.log(`  -> 400 invalid_json`);
}

/** 5. The stored blob of the first upload, read back from storage, is what the answer said. */
async function readBack(run: SmokeRun, { container, blob, sha256 }: FirstUpload): Promise<string> {
  run.log(`GET blob ${container}/${blob}`);
  let stored: Buffer | undefined;
  for (let attempt = 1; !stored; attempt += 1) {
    try {
      stored = await run.downloadBlob(container, blob);
    } catch (error) {
      if (attempt >= run.attempts) {
        throw new SmokeFailure(
          `reading back ${container}/${blob} failed after ${attempt} attempt(s): ${reason(error)} ` +
            '(reading needs a Storage Blob Data role on the data account, e.g. the one azd grants you)',
        );
      }
      run.log(`  attempt ${attempt}: ${reason(error)}; retrying`);
      await run.sleep(run.retryDelayMs);
    }
  }
  const storedSha256 = sha256Hex(stored);
  if (storedSha256 !== sha256) {
    throw new SmokeFailure(
      `stored blob ${container}/${blob}: SHA-256 ${storedSha256} (${stored.length} bytes), ` +
        `but the answer said ${sha256}`,
    );
  }
  run.log(`  -> ${stored.length} bytes, SHA-256 matches`);
  return storedSha256;
}

async function main(): Promise<void> {
  const args = parseSmokeArguments(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(`smoke: ${args}`);
    console.error(
      'usage: npm run smoke -- <baseUrl> <deviceId> <key> [--blob-endpoint <url>] [--container <name>]',
    );
    console.error(
      '  e.g. npm run smoke -- "$(azd env get-value FUNCTION_APP_URL)" truck-042 "$DEVICE_KEY" ' +
        '--blob-endpoint "$(azd env get-value DATA_STORAGE_BLOB_ENDPOINT)"',
    );
    process.exit(2);
  }
  try {
    const result = await runSmoke({ ...args, log: (line) => console.log(line) });
    console.log(
      `smoke: OK (stored once, resend deduplicated, gzip stored, byte-order mark refused, ` +
        `stored blob matches its sha256) -> ${result.container}/${result.blob}`,
    );
  } catch (error) {
    console.error(`smoke: FAILED: ${reason(error)}`);
    process.exit(1);
  }
}

if (require.main === module) void main();
