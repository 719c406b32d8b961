import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { EndpointClient, HttpResult } from './http';
import { type Backoff, type DeviceGates, parseRetryAfter, retryDelayMs, sleep } from './retryPolicy';
import { type Acknowledgement, FileStatus, type FoundFile, type Rejection } from './types';

const gzip = promisify(gzipCallback);

/** Bodies above this travel gzipped (`--gzip`); smaller ones gain little and cost CPU on both ends. */
export const GZIP_ABOVE_BYTES = 1024;
/** A 429 is pacing, not failure, so it does not use up an attempt; this many per file still end it. */
const MAX_THROTTLED = 1000;

export const IdempotencyMode = { Hash: 'hash', Path: 'path' } as const;
export type IdempotencyMode = (typeof IdempotencyMode)[keyof typeof IdempotencyMode];

export interface SenderSettings {
  /** The endpoint's base; `/api/ingest/{deviceId}` is appended. */
  baseUrl: URL;
  client: EndpointClient;
  timeoutMs: number;
  maxAttempts: number;
  gzip: boolean;
  idempotency: IdempotencyMode;
  backoff: Backoff;
  gates: DeviceGates;
  signal: AbortSignal;
  random?: () => number;
  /** Waits between attempts (default: a timer cut short by `signal`); tests record the waits instead. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told about each failed attempt (for the run's retry count). */
  onRetry?: (file: FoundFile, reason: string) => void;
}

/** The final word on one file from the endpoint, as a gateway would act on it. */
export type SendResult =
  | ({ kind: 'acknowledged' } & Acknowledgement)
  | { kind: 'rejected'; rejection: Rejection }
  /** 401/403: the device's key is wrong or revoked, not the file. */
  | { kind: 'authFailed'; httpStatus: number; error: string; message: string }
  /** Retries exhausted or interrupted; a rerun sends it. */
  | { kind: 'unsent'; reason: string }
  /** The endpoint is not what --url or --ca promised (404, a redirect, an untrusted certificate): stop the run. */
  | { kind: 'fatal'; message: string };

/** One attempt's answer, as the retry loop sees it. */
type Verdict = { final: SendResult } | { retry: string; retryAfterMs?: number; throttled?: boolean };

/**
 * Sends one file until the endpoint acknowledges or refuses it: network errors, timeouts, 408, 429
 * and 5xx are retried with exponential backoff and jitter, honouring `Retry-After`, always with the
 * same bytes (and the same Idempotency-Key), so a resend of a file already stored is a duplicate.
 */
export async function sendFile(
  file: FoundFile,
  bytes: Buffer,
  sha256: string,
  key: string,
  settings: SenderSettings,
): Promise<SendResult> {
  const url = new URL(
    `${settings.baseUrl.pathname.replace(/\/+$/, '')}/api/ingest/${encodeURIComponent(file.deviceId)}`,
    settings.baseUrl,
  );
  const compress = settings.gzip && bytes.byteLength > GZIP_ABOVE_BYTES;
  const body = compress ? await gzip(bytes) : bytes;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${key}`,
    'user-agent': 'telemetry-ops-backfill',
    ...(compress ? { 'content-encoding': 'gzip' } : {}),
    ...(settings.idempotency === IdempotencyMode.Path
      ? { 'idempotency-key': pathIdempotencyKey(file.deviceId, file.devicePath) }
      : {}),
  };
  let failures = 0;
  let throttled = 0;
  for (;;) {
    await settings.gates.pass(file.deviceId, settings.signal);
    if (settings.signal.aborted) return { kind: 'unsent', reason: 'interrupted' };
    const answer = await settings.client.post(url, {
      headers,
      body,
      timeoutMs: settings.timeoutMs,
      signal: settings.signal,
    });
    if (settings.signal.aborted) return { kind: 'unsent', reason: 'interrupted' };
    const verdict = judge(answer, sha256, url);
    if ('final' in verdict) return verdict.final;
    settings.onRetry?.(file, verdict.retry);
    if (verdict.throttled) {
      if (++throttled >= MAX_THROTTLED)
        return { kind: 'unsent', reason: `${verdict.retry} ${throttled} times` };
      // Without Retry-After, the device's pace is unknown: back off exponentially, as for a failure.
      const backoff = retryDelayMs(throttled, settings.backoff, undefined, settings.random);
      settings.gates.hold(file.deviceId, verdict.retryAfterMs ?? backoff);
      continue;
    }
    if (++failures >= settings.maxAttempts)
      return { kind: 'unsent', reason: `${failures} attempts failed, the last with ${verdict.retry}` };
    const wait = settings.wait ?? sleep;
    await wait(
      retryDelayMs(failures, settings.backoff, verdict.retryAfterMs, settings.random),
      settings.signal,
    );
  }
}

/** What one answer (or its absence) means for the file: the README's gateway table. */
function judge(answer: HttpResult, sha256: string, url: URL): Verdict {
  if (answer.kind === 'failure') {
    if (/^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_|EPROTO$)/.test(answer.code))
      return {
        final: {
          kind: 'fatal',
          message: `TLS with ${url.host} failed (${answer.code}): ${answer.message}. For a private CA pass --ca <file>.`,
        },
      };
    return { retry: answer.code };
  }
  const { status } = answer;
  const body = parseBody(answer.body);
  const error = typeof body?.error === 'string' ? body.error : `http_${status}`;
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  if (status === 200) {
    const acknowledged = body?.status === FileStatus.Stored || body?.status === FileStatus.Duplicate;
    if (!acknowledged || typeof body?.blob !== 'string')
      return {
        final: {
          kind: 'fatal',
          message: `${url.origin} answered 200 without "stored" or "duplicate": is --url the ingest endpoint?`,
        },
      };
    // The endpoint's hash is of the bytes it holds: anything else is not an acknowledgement of this file.
    if (body.sha256 !== sha256)
      return {
        final: {
          kind: 'rejected',
          rejection: {
            httpStatus: status,
            error: 'sha256_mismatch',
            message: `The endpoint acknowledged ${String(body.blob)} with SHA-256 ${String(body.sha256)}, not this file's.`,
          },
        },
      };
    return {
      final: { kind: 'acknowledged', status: body.status as Acknowledgement['status'], blob: body.blob },
    };
  }
  if (status === 401 || status === 403)
    return { final: { kind: 'authFailed', httpStatus: status, error, message } };
  if (status === 429)
    return {
      retry: `429 ${error}`,
      retryAfterMs: parseRetryAfter(answer.headers['retry-after']),
      throttled: true,
    };
  if (status === 408 || status >= 500)
    return { retry: `${status} ${error}`, retryAfterMs: parseRetryAfter(answer.headers['retry-after']) };
  if ([400, 413, 415, 422].includes(status))
    return {
      final: { kind: 'rejected', rejection: { httpStatus: status, error, message, details: body?.details } },
    };
  // 404, 405, a redirect...: the URL is wrong, not the file. Quarantining every file would be worse.
  const location = answer.headers.location ? ` (to ${answer.headers.location})` : '';
  return {
    final: {
      kind: 'fatal',
      message: `POST ${url.href} answered ${status}${location}: check --url (the endpoint's base, e.g. https://<app>.azurewebsites.net, without /api).`,
    },
  };
}

function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `Idempotency-Key: <deviceId>/<path in the device folder>`; a path the header cannot carry (over 128
 * characters, not printable ASCII) is replaced by its SHA-256, which is just as stable across runs.
 */
export function pathIdempotencyKey(deviceId: string, devicePath: string): string {
  const key = `${deviceId}/${devicePath}`;
  if (/^[\x21-\x7e]([\x20-\x7e]{0,126}[\x21-\x7e])?$/.test(key)) return key;
  return `${deviceId}/sha256:${createHash('sha256').update(devicePath).digest('hex').slice(0, 56)}`;
}
