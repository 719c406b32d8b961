/**
 * The historian's export, row by row (the file is streamed by the caller: a year of per-minute
 * readings for 50 trucks is 26 million rows). Two layouts, told by the header:
 * - one row per reading: `device,timestamp`;
 * - one row per UTC hour: `device,hour,count`.
 * Other column names are set by options; extra columns are ignored; times without an offset are
 * UTC. A row that cannot be read is refused with a message (the caller adds its line number).
 */
import { isDeviceId } from '../deviceId';
import { parseUtcInstant } from '../utcInstant';
import type { HourSpan } from './types';
import { HOUR_MS } from './wholeHours';

/** The header names to look for (compared without case or surrounding spaces). */
export interface ReferenceColumns {
  device: string;
  timestamp: string;
  hour: string;
  count: string;
}

export const DEFAULT_REFERENCE_COLUMNS: ReferenceColumns = {
  device: 'device',
  timestamp: 'timestamp',
  hour: 'hour',
  count: 'count',
};

/** Column indexes, and `fields`: how many a row needs to reach them all. */
export type ReferenceLayout =
  | { kind: 'readings'; device: number; timestamp: number; fields: number }
  | { kind: 'hourly'; device: number; hour: number; count: number; fields: number };

/** A row the reference cannot use; `message` says why, without the line (the reader adds it). */
export class ReferenceRowError extends Error {}

/** Which columns hold what: a timestamp column makes it one row per reading, else hour and count. */
export function referenceLayout(header: readonly string[], columns: ReferenceColumns): ReferenceLayout {
  const names = header.map((name) => name.trim().toLowerCase());
  const at = (name: string) => names.indexOf(name.trim().toLowerCase());
  const [device, timestamp, hour, count] = [
    columns.device,
    columns.timestamp,
    columns.hour,
    columns.count,
  ].map(at) as [number, number, number, number];
  if (device >= 0 && timestamp >= 0)
    return { kind: 'readings', device, timestamp, fields: Math.max(device, timestamp) + 1 };
  if (device >= 0 && hour >= 0 && count >= 0)
    return { kind: 'hourly', device, hour, count, fields: Math.max(device, hour, count) + 1 };
  throw new ReferenceRowError(
    `the header (${header.join(',')}) has neither "${columns.device},${columns.timestamp}" (one row per reading) nor "${columns.device},${columns.hour},${columns.count}" (one row per UTC hour); name other columns with --reference-*-column`,
  );
}

/** One row's contribution: readings of a device in an hour (from the epoch), or a name to ignore. */
export type ReferenceRow = { deviceId: string; hour: number; count: number } | { ignored: string };

/**
 * `names`: the historian's names to our device ids (`--reference-map`); a name it lacks is ignored.
 * Without it, each name must be a device id.
 */
export function readReferenceRow(
  layout: ReferenceLayout,
  record: readonly string[],
  names?: ReadonlyMap<string, string>,
): ReferenceRow {
  if (record.length < layout.fields)
    throw new ReferenceRowError(`${record.length} field(s) where the columns need ${layout.fields}`);
  const name = record[layout.device]!.trim();
  const deviceId = names ? names.get(name) : name;
  if (deviceId === undefined) return { ignored: name };
  if (!isDeviceId(deviceId))
    throw new ReferenceRowError(
      `"${name}" is not a device id (translate the historian's names with --reference-map)`,
    );
  if (layout.kind === 'readings') return { deviceId, hour: hourOf(record[layout.timestamp]!), count: 1 };
  const hour = hourOf(record[layout.hour]!);
  if (hour * HOUR_MS !== parseUtcInstant(record[layout.hour]!))
    throw new ReferenceRowError(`hour "${record[layout.hour]}" is not the start of a UTC hour`);
  const count = record[layout.count]!.trim();
  if (!/^\d{1,9}$/.test(count))
    throw new ReferenceRowError(`count "${count}" is not a whole number of readings`);
  return { deviceId, hour, count: Number(count) };
}

function hourOf(text: string): number {
  const ms = parseUtcInstant(text);
  if (ms === undefined)
    throw new ReferenceRowError(
      `cannot read time "${text}": ISO 8601 expected, e.g. 2026-11-20T06:15:00Z (UTC unless it has an offset)`,
    );
  return Math.floor(ms / HOUR_MS);
}

/** The reference's readings per device and hour of the span; rows outside it are only counted. */
export class ReferenceTally {
  readonly hours = new Map<string, Map<number, number>>();
  rows = 0;
  outsideRange = 0;
  readonly ignoredNames = new Set<string>();
  ignoredRows = 0;

  constructor(private readonly span: HourSpan) {}

  add(row: ReferenceRow): void {
    this.rows++;
    if ('ignored' in row) {
      this.ignoredNames.add(row.ignored);
      this.ignoredRows++;
      return;
    }
    if (row.hour < this.span.first || row.hour >= this.span.end) {
      this.outsideRange++;
      return;
    }
    const device = this.hours.get(row.deviceId) ?? new Map<number, number>();
    this.hours.set(row.deviceId, device);
    device.set(row.hour, (device.get(row.hour) ?? 0) + row.count);
  }
}
