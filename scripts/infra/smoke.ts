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
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';

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

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.attempts ?? 6;
  const retryDelayMs = options.retryDelayMs ?? 20_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const downloadBlob =
    options.downloadBlob ?? (options.blobEndpoint ? azureBlobDownloader(options.blobEndpoint) : undefined);
  if (!downloadBlob) {
    throw new SmokeFailure(
      'no data storage account to read the stored blob back from: pass --blob-endpoint (or set DATA_STORAGE_BLOB_ENDPOINT)',
    );
  }

  const url = ingestUrl(options.baseUrl, options.deviceId);
  const post = async (
    body: Uint8Array<ArrayBuffer> | string,
    idempotencyKey: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<Sent> => {
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
  const postOnce = (step: string, ...args: Parameters<typeof post>) =>
    post(...args).catch((error: unknown) => {
      throw new SmokeFailure(`${step} failed: ${reason(error)}`);
    });

  const idempotencyKey = randomUUID();
  const body = JSON.stringify(samplePayload(options.deviceId));
  const bodySha256 = sha256Hex(body);
  log(`POST ${url} (Idempotency-Key ${idempotencyKey}, ${body.length} bytes)`);

  // 1. First send: expect `stored` (or `duplicate` if an earlier attempt of ours got through).
  let first: Sent | undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      first = await post(body, idempotencyKey);
    } catch (error) {
      if (attempt >= attempts)
        throw new SmokeFailure(`first request failed after ${attempt} attempt(s): ${reason(error)}`);
      log(`  attempt ${attempt}: ${reason(error)}; retrying`);
      await sleep(retryDelayMs);
      continue;
    }
    if (first.status < 500 || attempt >= attempts) break;
    const wait =
      first.retryAfter && /^\d+$/.test(first.retryAfter) ? Number(first.retryAfter) * 1000 : retryDelayMs;
    log(
      `  attempt ${attempt}: ${describeAnswer(first.status, first.text)}; retrying in ${Math.round(wait / 1000)} s`,
    );
    await sleep(wait);
  }
  const firstAnswer = parse(first.text);
  const acceptable = ['stored', 'duplicate'];
  if (first.status !== 200 || !firstAnswer || !acceptable.includes(String(firstAnswer.status))) {
    throw new SmokeFailure(
      `first request: expected 200 {"status":"stored"}, got ${describeAnswer(first.status, first.text)}`,
    );
  }
  if (typeof firstAnswer.blob !== 'string' || !firstAnswer.blob) {
    throw new SmokeFailure(`first request: the answer names no blob: ${first.text}`);
  }
  const container = String(firstAnswer.container);
  if (options.container !== undefined && container !== options.container) {
    throw new SmokeFailure(`first request: expected container ${options.container}, got ${container}`);
  }
  if (firstAnswer.sha256 !== bodySha256) {
    throw new SmokeFailure(
      `first request: expected sha256 ${bodySha256} (of the bytes sent), got ${String(firstAnswer.sha256)}`,
    );
  }
  const blob = firstAnswer.blob;
  log(`  -> 200 ${String(firstAnswer.status)}: ${container}/${blob}`);

  // 2. Resend the identical request: expect `duplicate` naming the same blob.
  const second = await postOnce('resend', body, idempotencyKey);
  const secondAnswer = parse(second.text);
  if (second.status !== 200 || secondAnswer?.status !== 'duplicate') {
    throw new SmokeFailure(
      `resend: expected 200 {"status":"duplicate"}, got ${describeAnswer(second.status, second.text)}`,
    );
  }
  if (secondAnswer.blob !== blob || secondAnswer.container !== firstAnswer.container) {
    throw new SmokeFailure(
      `resend: expected the same blob ${container}/${blob}, ` +
        `got ${String(secondAnswer.container)}/${String(secondAnswer.blob)}`,
    );
  }
  log(`  -> 200 duplicate: same blob`);

  // 3. A gzip-compressed upload: stored, and `sha256` is that of the uncompressed JSON.
  const gzipKey = randomUUID();
  const gzipBody = JSON.stringify(samplePayload(options.deviceId));
  const compressed = gzipSync(gzipBody);
  log(`POST gzip (Idempotency-Key ${gzipKey}, ${gzipBody.length} bytes, ${compressed.length} compressed)`);
  const zipped = await postOnce('gzip upload', compressed, gzipKey, { 'Content-Encoding': 'gzip' });
  const zippedAnswer = parse(zipped.text);
  if (zipped.status !== 200 || zippedAnswer?.status !== 'stored' || typeof zippedAnswer.blob !== 'string') {
    throw new SmokeFailure(
      `gzip upload: expected 200 {"status":"stored"}, got ${describeAnswer(zipped.status, zipped.text)}`,
    );
  }
  if (zippedAnswer.sha256 !== sha256Hex(gzipBody)) {
    throw new SmokeFailure(
      `gzip upload: expected sha256 ${sha256Hex(gzipBody)} (of the uncompressed bytes), ` +
        `got ${String(zippedAnswer.sha256)}`,
    );
  }
  log(`  -> 200 stored: ${String(zippedAnswer.container)}/${zippedAnswer.blob}`);

  // 4. A body starting with a UTF-8 byte-order mark: refused.
  const bomBody = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
  log(`POST with a byte-order mark (${bomBody.length} bytes)`);
  const bom = await postOnce('byte-order mark upload', bomBody, randomUUID());
  if (bom.status !== 400 || parse(bom.text)?.error !== 'invalid_json') {
    throw new SmokeFailure(
      `byte-order mark upload: expected 400 {"error":"invalid_json"}, got ${describeAnswer(bom.status, bom.text)}`,
    );
  }
  log(`  -> 400 invalid_json`);

  // 5. The stored blob of the first upload, read back from storage, is what the answer said.
  log(`GET blob ${container}/${blob}`);
  let stored: Buffer | undefined;
  for (let attempt = 1; !stored; attempt += 1) {
    try {
      stored = await downloadBlob(container, blob);
    } catch (error) {
      if (attempt >= attempts) {
        throw new SmokeFailure(
          `reading back ${container}/${blob} failed after ${attempt} attempt(s): ${reason(error)} ` +
            '(reading needs a Storage Blob Data role on the data account, e.g. the one azd grants you)',
        );
      }
      log(`  attempt ${attempt}: ${reason(error)}; retrying`);
      await sleep(retryDelayMs);
    }
  }
  const storedSha256 = sha256Hex(stored);
  if (storedSha256 !== firstAnswer.sha256) {
    throw new SmokeFailure(
      `stored blob ${container}/${blob}: SHA-256 ${storedSha256} (${stored.length} bytes), ` +
        `but the answer said ${firstAnswer.sha256}`,
    );
  }
  log(`  -> ${stored.length} bytes, SHA-256 matches`);

  return { url, idempotencyKey, container, blob, sha256: storedSha256, gzipBlob: zippedAnswer.blob };
}

export interface SmokeArguments {
  baseUrl: string;
  deviceId: string;
  key: string;
  blobEndpoint?: string;
  container?: string;
}

/** The command line, with DATA_STORAGE_BLOB_ENDPOINT and RAW_CONTAINER as fallbacks; a string is a usage error. */
export function parseSmokeArguments(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): SmokeArguments | string {
  let parsed: ReturnType<typeof parseSmokeArgv>;
  try {
    parsed = parseSmokeArgv(argv);
  } catch (error) {
    return reason(error);
  }
  const [baseUrl, deviceId, key, ...extra] = parsed.positionals;
  if (!baseUrl || !deviceId || !key) return 'expected <baseUrl> <deviceId> <key>';
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  const blobEndpoint =
    parsed.values['blob-endpoint']?.trim() || env.DATA_STORAGE_BLOB_ENDPOINT?.trim() || undefined;
  const container = parsed.values.container?.trim() || env.RAW_CONTAINER?.trim() || undefined;
  if (!blobEndpoint)
    return "the data account's blob endpoint is needed to read the stored blob back: --blob-endpoint <url>";
  if (!/^https:\/\/[^/?#\s]+\/?$/.test(blobEndpoint))
    return `"${blobEndpoint}" is not an https blob endpoint`;
  return { baseUrl, deviceId, key, blobEndpoint, container };
}

function parseSmokeArgv(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { 'blob-endpoint': { type: 'string' }, container: { type: 'string' } },
  });
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
