import type { Claim } from '../idempotencyRecord';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { RecordState } from '../idempotencyRecord';
import { toRowKey } from '../idempotencyKey';
import { dayRange, dayRowKey, fileRange, markerRange, type RowKeyRange } from '../ledger/rowKeys';
import {
  type DayRollupRow,
  type FileLogEntry,
  FileState,
  type LedgerStore,
  type Marker,
  type Settlement,
} from '../ledger/types';
import {
  type Entity,
  fileEntity,
  fileOf,
  markerOf,
  rollupEntity,
  rollupOf,
  summaryProperties,
} from './ledgerEntities';
import { odataString } from './odata';
import { readClaim } from './readClaim';
import { storageCall } from './storageCall';

/**
 * The ledger on Table Storage. Every query is one partition and one RowKey range (the service
 * reads only the rows inside it), and every settlement is one entity-group transaction.
 */
export class TableLedgerStore implements LedgerStore {
  constructor(
    private readonly table: TableClient,
    private readonly timeoutMs: number,
  ) {}

  async markers(deviceId: string): Promise<Marker[]> {
    return (await this.range('table.markers', deviceId, markerRange())).map(markerOf);
  }

  claim(deviceId: string, key: string): Promise<Claim | undefined> {
    return readClaim(this.table, this.timeoutMs, deviceId, key);
  }

  async rollupsOf(deviceId: string, days: string[]): Promise<DayRollupRow[]> {
    const rows = await Promise.all(
      days.map((day) =>
        storageCall(
          'table.get',
          this.timeoutMs,
          async (abortSignal) =>
            rollupOf(await this.table.getEntity<Entity>(deviceId, dayRowKey(day), { abortSignal })),
          ({ statusCode }) => (statusCode === 404 ? null : undefined),
        ),
      ),
    );
    return rows.filter((row): row is DayRollupRow => row !== null);
  }

  settle({ deviceId, files, rollups }: Settlement): Promise<'settled' | 'conflict'> {
    const actions: TransactionAction[] = [];
    for (const { marker, claim, entry } of files) {
      // The file-log row's create is what makes a settlement happen once: a second sweep's fails (409).
      if (marker) actions.push(['delete', { partitionKey: deviceId, rowKey: marker.rowKey }]);
      actions.push(['create', fileEntity(entry)]);
      const state = entry.state === FileState.Stored ? RecordState.Stored : RecordState.Orphaned;
      const change = {
        partitionKey: deviceId,
        rowKey: toRowKey(claim.key),
        state,
        ...(state === RecordState.Stored ? { confirmedAt: entry.settledAt } : {}),
        // The same summary the claim holds, or (a claim adopted from before summaries) the blob's.
        ...summaryProperties(entry.summary),
      };
      // A stored blob is stored whatever happened to the claim since; an orphan only if nobody touched it.
      actions.push([
        'update',
        change,
        'Merge',
        state === RecordState.Stored ? undefined : { etag: claim.etag },
      ]);
    }
    for (const row of rollups) {
      actions.push(
        row.etag
          ? ['update', rollupEntity(row), 'Replace', { etag: row.etag }]
          : ['create', rollupEntity(row)],
      );
    }
    return storageCall(
      'table.settle',
      this.timeoutMs,
      async (abortSignal) => {
        await this.table.submitTransaction(actions, { abortSignal });
        return 'settled' as const;
      },
      // 409: a row created meanwhile; 412: a row changed meanwhile; 404: a marker already deleted.
      ({ statusCode }) =>
        statusCode === 409 || statusCode === 412 || statusCode === 404 ? 'conflict' : undefined,
    );
  }

  async rollupRange(deviceId: string, fromDay: string, toDay: string): Promise<DayRollupRow[]> {
    return (await this.range('table.rollups', deviceId, dayRange(fromDay, toDay))).map(rollupOf);
  }

  async fileLog(deviceId: string, from: Date, to: Date): Promise<FileLogEntry[]> {
    return (await this.range('table.files', deviceId, fileRange(from, to))).map(fileOf);
  }

  private range(operation: string, deviceId: string, { ge, lt }: RowKeyRange): Promise<Entity[]> {
    return storageCall(operation, this.timeoutMs, async (abortSignal) => {
      const filter = keyRangeFilter(deviceId, { ge, lt });
      const rows: Entity[] = [];
      for await (const entity of this.table.listEntities<Entity>({ queryOptions: { filter }, abortSignal }))
        rows.push(entity);
      return rows;
    });
  }
}

/** `PartitionKey eq 'd' and RowKey ge 'a' and RowKey lt 'b'`: the only filter shape the ledger sends. */
export function keyRangeFilter(deviceId: string, { ge, lt }: RowKeyRange): string {
  return `PartitionKey eq ${odataString(deviceId)} and RowKey ge ${odataString(ge)} and RowKey lt ${odataString(lt)}`;
}
