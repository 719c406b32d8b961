import type { TableClient } from '@azure/data-tables';
import { type IdempotencyRecord, RecordState } from '../idempotencyRecord';
import { toRowKey } from '../idempotencyKey';
import type { IdempotencyStore } from './types';
import { storageCall } from './storageCall';

interface RecordEntity {
  partitionKey: string;
  rowKey: string;
  idempotencyKey: string;
  blobName: string;
  sha256: string;
  sizeBytes: number;
  receivedAt: string;
  schemaId: string;
  state: string;
}

/** PartitionKey = device id, RowKey = the key made RowKey-safe: one point read finds any resend. */
export class TableIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly table: TableClient,
    private readonly timeoutMs: number,
  ) {}

  get(deviceId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return storageCall(
      'table.get',
      this.timeoutMs,
      async (abortSignal) =>
        fromEntity(await this.table.getEntity<RecordEntity>(deviceId, toRowKey(key), { abortSignal })),
      ({ statusCode }) => (statusCode === 404 ? null : undefined),
    ).then((record) => record ?? undefined);
  }

  insert(record: IdempotencyRecord): Promise<'inserted' | 'exists'> {
    return storageCall(
      'table.insert',
      this.timeoutMs,
      async (abortSignal) => {
        await this.table.createEntity<RecordEntity>(toEntity(record), { abortSignal });
        return 'inserted' as const;
      },
      ({ statusCode }) => (statusCode === 409 ? 'exists' : undefined),
    );
  }

  async markStored(record: IdempotencyRecord): Promise<void> {
    await storageCall('table.merge', this.timeoutMs, (abortSignal) =>
      this.table.updateEntity(
        { partitionKey: record.deviceId, rowKey: toRowKey(record.key), state: RecordState.Stored },
        'Merge',
        { abortSignal },
      ),
    );
  }

  async ping(): Promise<void> {
    await storageCall('table.ping', this.timeoutMs, async (abortSignal) => {
      const page = this.table
        .listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal })
        .byPage({ maxPageSize: 1 });
      await page.next();
    });
  }
}

function toEntity(record: IdempotencyRecord): RecordEntity {
  // The summary's fields are plain entity properties, so coverage can filter and select them.
  const { deviceId, key, summary, ...rest } = record;
  return { partitionKey: deviceId, rowKey: toRowKey(key), idempotencyKey: key, ...rest, ...summary };
}

function fromEntity(entity: RecordEntity): IdempotencyRecord {
  return {
    deviceId: entity.partitionKey,
    key: entity.idempotencyKey,
    blobName: entity.blobName,
    sha256: entity.sha256,
    sizeBytes: Number(entity.sizeBytes),
    receivedAt: entity.receivedAt,
    schemaId: entity.schemaId,
    // Anything but `stored` (including the old name `reserved`) means the blob must be checked.
    state: entity.state === RecordState.Stored ? RecordState.Stored : RecordState.Pending,
  };
}
