import type { ClockEvidence, ClockSign } from './telemetry/clockEvidence';

/**
 * One structured line per request, written with `context.log` / `context.error`: the Functions host
 * sends it to Application Insights as a `traces` row whose `message` is this JSON, and the alerts
 * and the workbook read it with `parse_json(message)` (docs/OPERATIONS.md#telemetry says why not
 * customDimensions). `event` comes first, so a query can pick the lines by the message's prefix
 * before parsing any JSON. Only identifiers, sizes and times: never payload contents, headers or
 * credentials (the key is logged as its short digest).
 *
 * The host's own `requests` row already has the URL, the result code and the duration; this line
 * adds what only the handler knows, so nothing is recorded twice but the status and duration that
 * make the row readable on its own.
 */
export interface RequestLogEntry {
  event: 'ingest';
  device?: string;
  /** The idempotency key's short digest. */
  key?: string;
  /** `stored`, `duplicate`, or the error code of the answer (docs/API.md). */
  outcome: string;
  status: number;
  /** The sender's address group (an IPv4 address, or an IPv6 /64), as the platform saw it. */
  client?: string;
  bytes?: number;
  /** The payload model the file was validated against. */
  model?: string;
  /** Readings in the file (models that declare reading times). */
  readings?: number;
  clockOffsetSeconds?: number;
  delaySeconds?: number;
  clock?: ClockSign;
  ms: number;
  error?: string;
}

export function formatRequestLog(entry: RequestLogEntry): string {
  // `event` first whatever the caller's order: the queries select lines by this prefix.
  const { event, ...rest } = entry;
  return JSON.stringify({ event, ...rest, ms: Math.round(entry.ms * 10) / 10 });
}

/** Filled in by the core as the request progresses, so the one line can say how far it got. */
export interface IngestTrace extends ClockEvidence {
  deviceId?: string;
  key?: string;
  /** The sender's address group: what a burst of failed keys is counted by. */
  client?: string;
  bytes?: number;
  model?: string;
  readings?: number;
}
