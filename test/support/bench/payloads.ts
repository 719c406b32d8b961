/**
 * Valid oil-condition-v1 uploads of a chosen size, each unique: the file's `sequence` is the request
 * counter, so no two requests of a run share a SHA-256 (nothing is a duplicate by accident), and the
 * payload names the device in the URL (round robin over the bench devices).
 */
import { gzipSync } from 'node:zlib';

export const DEVICE_COUNT = 10;
export const MODEL = 'oil-condition-v1';
/** oil-condition-v1 allows at most this many readings per file. */
const MAX_READINGS = 10_000;
const FIRST_READING = Date.UTC(2026, 10, 25, 8, 0, 0);

export const deviceOf = (seq: number): string => `truck-${seq % DEVICE_COUNT}`;
export const deviceIds = (): string[] => Array.from({ length: DEVICE_COUNT }, (_, i) => deviceOf(i));

function reading(i: number, pad: string): string {
  const timestamp = new Date(FIRST_READING + i * 1000).toISOString();
  const fields = `"oilTemperatureC":${80 + (i % 20) / 2},"densityKgM3":${870 + (i % 7) / 10},"viscosityCSt":${95 + (i % 11) / 10}`;
  return `{"timestamp":"${timestamp}",${fields}${pad ? `,"note":"${pad}"` : ''}}`;
}

/** A whole document (the hot-path section's payloads). */
export function oilDocument(deviceId: string, readings: number, seq: number): string {
  const items = Array.from({ length: readings }, (_, i) => reading(i, ''));
  return `{"deviceId":"${deviceId}","sentAt":"2026-11-25T08:15:02Z","firmware":"2.4.1","sequence":${seq},"readings":[${items.join(',')}]}`;
}

/**
 * Bodies of about `targetBytes`: readings of ~100 bytes up to the model's 10,000, then a `note`
 * string in each reading (unknown properties are allowed) for the larger sizes. A body is its
 * device's prefix + the sequence number + the shared readings, so making one is a copy.
 */
export class BodyTemplate {
  private readonly prefixes: Buffer[];
  private readonly suffix: Buffer;

  constructor(readonly targetBytes: number) {
    this.prefixes = deviceIds().map((id) =>
      Buffer.from(`{"deviceId":"${id}","sentAt":"2026-11-25T08:15:02Z","firmware":"2.4.1","sequence":`),
    );
    // Room for an 8-digit sequence number, so no body passes the target.
    const overhead = this.prefixes[0]!.byteLength + 8 + ',"readings":[]}'.length;
    const typical = Array.from({ length: 140 }, (_, i) => reading(i, '').length + 1);
    const perReading = typical.reduce((a, b) => a + b, 0) / typical.length;
    const count = Math.max(1, Math.min(MAX_READINGS, Math.floor((targetBytes - overhead) / perReading)));
    const plain = Array.from({ length: count }, (_, i) => reading(i, '').length + 1).reduce(
      (a, b) => a + b,
      0,
    );
    const spare = targetBytes - overhead - plain;
    // Each reading's note adds its characters plus `,"note":""`.
    const pad = 'x'.repeat(Math.max(0, Math.floor(spare / count) - ',"note":""'.length));
    const items = Array.from({ length: count }, (_, i) => reading(i, pad));
    this.suffix = Buffer.from(`,"readings":[${items.join(',')}]}`);
  }

  /** File `seq` of device `truck-<device>` (by default the device `uploadOf` sends it to). */
  body(seq: number, device = seq % DEVICE_COUNT): Buffer {
    return Buffer.concat([this.prefixes[device]!, Buffer.from(String(seq)), this.suffix]);
  }
}

/**
 * Gzipped bodies, compressed ahead of the run (up to `prepared` of them) so the load generator does
 * not spend the machine's CPU compressing while it measures; past that, compressed on the fly.
 */
export class GzipBodies {
  private readonly cache: Buffer[] = [];

  constructor(private readonly template: BodyTemplate) {}

  prepare(count: number): void {
    for (let seq = this.cache.length; seq < count; seq++) this.cache.push(gzipSync(this.template.body(seq)));
  }

  body(seq: number): Buffer {
    return this.cache[seq] ?? gzipSync(this.template.body(seq));
  }
}

export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface BodySource {
  body(seq: number): Buffer;
}

/** The upload of file `seq` as a gateway sends it: its device's URL and key. */
export function uploadOf(
  seq: number,
  bodies: BodySource,
  keys: ReadonlyMap<string, string>,
  gzip = false,
): BenchRequest {
  const deviceId = deviceOf(seq);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = keys.get(deviceId);
  if (key) headers.authorization = `Bearer ${key}`;
  if (gzip) headers['content-encoding'] = 'gzip';
  return { path: `/api/ingest/${deviceId}`, headers, body: bodies.body(seq) };
}
