/**
 * The entities of the idempotency table, one converter per row kind, shared by the claim adapter
 * (tableIdempotencyStore.ts) and the ledger adapter (tableLedgerStore.ts) so both read and write the
 * same properties. A summary's fields are plain properties of the row that carries it.
 */
import type { TableEntity } from '@azure/data-tables';
import { type Claim, type IdempotencyRecord, RecordState } from '../idempotencyRecord';
import { shortKey, toRowKey } from '../idempotencyKey';
import { formatHours, parseHours } from '../ledger/dayRollup';
import { dayRowKey, dayOfRowKey, fileRowKey, markerRowKey } from '../ledger/rowKeys';
import { type DayRollupRow, type FileLogEntry, FileState, type Marker } from '../ledger/types';
import type { StoredSummary } from '../readingSummary';

export type Entity = TableEntity<Record<string, unknown>> & { etag?: string; timestamp?: string };

const SUMMARY_FIELDS = [
  'summaryVersion',
  'readings',
  'firstReadingAt',
  'lastReadingAt',
  'readingHours',
  'sentAt',
  'readingHoursTruncated',
  'clockOffsetSeconds',
] as const;

/** The summary's fields as properties (undefined ones left out: the Tables SDK refuses them). */
export function summaryProperties(summary: StoredSummary | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) if (summary?.[field] !== undefined) out[field] = summary[field];
  return out;
}

/** The summary a row carries, or undefined for rows written before summaries existed. */
export function summaryOf(entity: Entity): StoredSummary | undefined {
  if (entity.summaryVersion === undefined || entity.summaryVersion === null) return undefined;
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS)
    if (entity[field] !== undefined && entity[field] !== null) summary[field] = entity[field];
  return summary as unknown as StoredSummary;
}

export function claimEntity(record: IdempotencyRecord): Entity {
  const {
    deviceId,
    key,
    blobName,
    sha256,
    sizeBytes,
    receivedAt,
    schemaId,
    state,
    confirmedAt,
    rewrittenAt,
    summary,
  } = record;
  return {
    partitionKey: deviceId,
    rowKey: toRowKey(key),
    idempotencyKey: key,
    blobName,
    sha256,
    sizeBytes,
    receivedAt,
    schemaId,
    state,
    ...(confirmedAt === undefined ? {} : { confirmedAt }),
    ...(rewrittenAt === undefined ? {} : { rewrittenAt }),
    ...summaryProperties(summary),
  };
}

export function claimOf(entity: Entity): Claim {
  const state = entity.state;
  return {
    deviceId: entity.partitionKey,
    key: String(entity.idempotencyKey),
    blobName: String(entity.blobName),
    sha256: String(entity.sha256),
    sizeBytes: Number(entity.sizeBytes),
    receivedAt: String(entity.receivedAt),
    schemaId: String(entity.schemaId),
    // Anything else (including the old name `reserved`) means the blob must be checked.
    state: state === RecordState.Stored || state === RecordState.Orphaned ? state : RecordState.Pending,
    ...optional('summary', summaryOf(entity)),
    ...optional('confirmedAt', typeof entity.confirmedAt === 'string' ? entity.confirmedAt : undefined),
    ...optional('rewrittenAt', typeof entity.rewrittenAt === 'string' ? entity.rewrittenAt : undefined),
    etag: String(entity.etag),
    updatedAt: String(entity.rewrittenAt ?? entity.receivedAt),
  };
}

export function markerEntity(record: IdempotencyRecord): Entity {
  return {
    partitionKey: record.deviceId,
    rowKey: markerRowKey(record.receivedAt, shortKey(record.key)),
    idempotencyKey: record.key,
    receivedAt: record.receivedAt,
  };
}

export function markerOf(entity: Entity): Marker {
  return {
    deviceId: entity.partitionKey,
    rowKey: entity.rowKey,
    etag: String(entity.etag),
    key: String(entity.idempotencyKey),
    receivedAt: String(entity.receivedAt),
  };
}

export function fileEntity(entry: FileLogEntry): Entity {
  const { deviceId, key, summary, rollupDaysTruncated, ...rest } = entry;
  return {
    partitionKey: deviceId,
    rowKey: fileRowKey(entry.receivedAt, shortKey(key)),
    idempotencyKey: key,
    ...rest,
    ...(rollupDaysTruncated ? { rollupDaysTruncated } : {}),
    ...summaryProperties(summary),
  };
}

export function fileOf(entity: Entity): FileLogEntry {
  const state = Object.values(FileState).find((s) => s === entity.state) ?? FileState.Stored;
  return {
    deviceId: entity.partitionKey,
    key: String(entity.idempotencyKey),
    receivedAt: String(entity.receivedAt),
    blobName: String(entity.blobName),
    sha256: String(entity.sha256),
    sizeBytes: Number(entity.sizeBytes),
    schemaId: String(entity.schemaId),
    state,
    settledAt: String(entity.settledAt),
    ...optional('summary', summaryOf(entity)),
    ...(entity.rollupDaysTruncated === true ? { rollupDaysTruncated: true } : {}),
  };
}

export function rollupEntity(row: DayRollupRow): Entity {
  return {
    partitionKey: row.deviceId,
    rowKey: dayRowKey(row.day),
    hours: formatHours(row.hours),
    receivedOn: [...row.receivedOn].sort().join(','),
  };
}

export function rollupOf(entity: Entity): DayRollupRow {
  return {
    deviceId: entity.partitionKey,
    day: dayOfRowKey(entity.rowKey),
    hours: parseHours(typeof entity.hours === 'string' ? entity.hours : undefined),
    receivedOn: new Set(
      typeof entity.receivedOn === 'string' && entity.receivedOn ? entity.receivedOn.split(',') : [],
    ),
    etag: String(entity.etag),
  };
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
