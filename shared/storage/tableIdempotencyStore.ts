import type { TableClient, TransactionAction } from '@azure/data-tables';
import { type Claim, type IdempotencyRecord, RecordState } from '../idempotencyRecord';
import { shortKey, toRowKey } from '../idempotencyKey';
import { fileRowKey } from '../ledger/rowKeys';
import { FileState } from '../ledger/types';
import { claimEntity, markerEntity } from './ledgerEntities';
import type { IdempotencyStore } from './types';
import { readClaim } from './readClaim';
import { storageCall } from './storageCall';

/**
 * PartitionKey = device id, RowKey = the key made RowKey-safe: one point read finds any resend. A
 * claim's ledger marker lives in the same partition, so the claim and its marker are one
 * entity-group transaction: still one round trip for a new file.
 */
export class TableIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly table: TableClient,
    private readonly timeoutMs: number,
  ) {}

  get(deviceId: string, key: string): Promise<Claim | undefined> {
    return readClaim(this.table, this.timeoutMs, deviceId, key);
  }

  insert(record: IdempotencyRecord): Promise<'inserted' | 'exists'> {
    return this.transact(
      'table.insert',
      [
        ['create', claimEntity(record)],
        ['create', markerEntity(record)],
      ],
      'inserted',
      'exists',
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

  rewrite(claim: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'> {
    return this.transact(
      'table.rewrite',
      [['update', claimEntity(next), 'Replace', { etag: claim.etag }]],
      'updated',
      'conflict',
    );
  }

  reclaim(orphan: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'> {
    const retired = {
      partitionKey: orphan.deviceId,
      rowKey: fileRowKey(orphan.receivedAt, shortKey(orphan.key)),
      state: FileState.Replaced,
    };
    return this.transact(
      'table.reclaim',
      [
        ['update', claimEntity(next), 'Replace', { etag: orphan.etag }],
        ['create', markerEntity(next)],
        ['upsert', retired, 'Merge'],
      ],
      'updated',
      'conflict',
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

  /** One entity-group transaction; a failed condition (409 exists, 412 changed) is `lost`. */
  private transact<T>(operation: string, actions: TransactionAction[], won: T, lost: T): Promise<T> {
    return storageCall(
      operation,
      this.timeoutMs,
      async (abortSignal) => {
        await this.table.submitTransaction(actions, { abortSignal });
        return won;
      },
      ({ statusCode }) => (statusCode === 409 || statusCode === 412 ? lost : undefined),
    );
  }
}
