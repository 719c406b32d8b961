/**
 * Post-deploy smoke test:
 *
 *   npm run smoke -- <baseUrl> <deviceId> <key>
 *
 * <baseUrl> is the Function App URL (azd output FUNCTION_APP_URL, e.g. https://func-api-xyz.azurewebsites.net),
 * or the INGEST_ENDPOINT template with its {deviceId} placeholder. <key> is the device key issued by
 * the device CLI. Sends one realistic oil-condition upload with a fresh Idempotency-Key and expects
 * 200 `stored`, then resends the identical request and expects 200 `duplicate` naming the same blob.
 * Exits 0 on success, 1 with a message saying what differed, 2 on bad usage.
 *
 * Right after `azd up`, role assignments can take a few minutes to reach storage, and a cold Flex
 * instance may answer 5xx: the first send is retried (same key, so still exactly one blob).
 */
import { randomUUID } from 'node:crypto';

export interface SmokeOptions {
  baseUrl: string;
  deviceId: string;
  key: string;
  /** Attempts for the first send when the service answers 5xx or is unreachable. */
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
}

export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

interface IngestAnswer {
  status?: unknown;
  container?: unknown;
  blob?: unknown;
  error?: unknown;
  message?: unknown;
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

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.attempts ?? 6;
  const retryDelayMs = options.retryDelayMs ?? 20_000;
  const timeoutMs = options.timeoutMs ?? 60_000;

  const url = ingestUrl(options.baseUrl, options.deviceId);
  const idempotencyKey = randomUUID();
  const body = JSON.stringify(samplePayload(options.deviceId));
  const headers = {
    'Content-Type': 'application/json',
    Authorization: `Bearer ${options.key}`,
    'Idempotency-Key': idempotencyKey,
  };

  const send = async (): Promise<{ status: number; text: string; retryAfter: string | null }> => {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      text: await response.text(),
      retryAfter: response.headers.get('retry-after'),
    };
  };

  log(`POST ${url} (Idempotency-Key ${idempotencyKey}, ${body.length} bytes)`);

  // 1. First send: expect `stored` (or `duplicate` if an earlier attempt of ours got through).
  let first: { status: number; text: string; retryAfter: string | null } | undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      first = await send();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts)
        throw new SmokeFailure(`first request failed after ${attempt} attempt(s): ${reason}`);
      log(`  attempt ${attempt}: ${reason}; retrying`);
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
  log(`  -> 200 ${String(firstAnswer.status)}: ${String(firstAnswer.container)}/${firstAnswer.blob}`);

  // 2. Resend the identical request: expect `duplicate` naming the same blob.
  const second = await send().catch((error: unknown) => {
    throw new SmokeFailure(`resend failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const secondAnswer = parse(second.text);
  if (second.status !== 200 || secondAnswer?.status !== 'duplicate') {
    throw new SmokeFailure(
      `resend: expected 200 {"status":"duplicate"}, got ${describeAnswer(second.status, second.text)}`,
    );
  }
  if (secondAnswer.blob !== firstAnswer.blob || secondAnswer.container !== firstAnswer.container) {
    throw new SmokeFailure(
      `resend: expected the same blob ${String(firstAnswer.container)}/${firstAnswer.blob}, ` +
        `got ${String(secondAnswer.container)}/${String(secondAnswer.blob)}`,
    );
  }
  log(`  -> 200 duplicate: same blob`);
  return { url, idempotencyKey, container: String(firstAnswer.container), blob: firstAnswer.blob };
}

async function main(): Promise<void> {
  const [baseUrl, deviceId, key] = process.argv.slice(2);
  if (!baseUrl || !deviceId || !key) {
    console.error('usage: npm run smoke -- <baseUrl> <deviceId> <key>');
    console.error('  e.g. npm run smoke -- "$(azd env get-value FUNCTION_APP_URL)" truck-042 "$DEVICE_KEY"');
    process.exit(2);
  }
  try {
    const result = await runSmoke({ baseUrl, deviceId, key, log: (line) => console.log(line) });
    console.log(`smoke: OK (stored once, resend deduplicated) -> ${result.container}/${result.blob}`);
  } catch (error) {
    console.error(`smoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

if (require.main === module) void main();
