/**
 * `coverage --rebuild`: entries stored before reading summaries existed get them now, from their
 * blob, read once. Idempotent (an entry with `summaryVersion` is skipped) and resumable (each entry
 * is merged on its own, so an interrupted run continues where it stopped).
 */
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { summaryEntityFields } from '../../../shared/readingSummary';
import type { ProfilesByModel } from '../../../shared/validation/modelProfile';
import { mapConcurrently } from '../../../shared/mapConcurrently';
import { odataString } from '../../../shared/storage/odata';

export interface RebuildProgress {
  (done: number, total: number): void;
}

export interface RebuildResult {
  examined: number;
  rebuilt: number;
  failed: Array<{ deviceId: string; blobName: string; reason: string }>;
}

export async function rebuildSummaries(
  table: TableClient,
  raw: ContainerClient,
  profiles: ProfilesByModel,
  options: { devices?: string[]; concurrency: number; progress?: RebuildProgress },
): Promise<RebuildResult> {
  const filter = options.devices?.length
    ? options.devices.map((d) => `PartitionKey eq ${odataString(d)}`).join(' or ')
    : undefined;
  const todo: Array<{
    partitionKey: string;
    rowKey: string;
    blobName: string;
    schemaId: string;
    receivedAt: string;
  }> = [];
  let examined = 0;
  const entities = table.listEntities<Record<string, unknown>>({
    queryOptions: {
      filter,
      select: ['PartitionKey', 'RowKey', 'blobName', 'schemaId', 'receivedAt', 'summaryVersion'],
    },
  });
  for await (const e of entities) {
    examined++;
    if (e.summaryVersion !== undefined && e.summaryVersion !== null) continue;
    todo.push({
      partitionKey: e.partitionKey as string,
      rowKey: e.rowKey as string,
      blobName: String(e.blobName),
      schemaId: String(e.schemaId),
      receivedAt: String(e.receivedAt),
    });
  }
  const failed: RebuildResult['failed'] = [];
  let done = 0;
  options.progress?.(0, todo.length);
  await mapConcurrently(todo, options.concurrency, async (entry) => {
    try {
      const bytes = await raw.getBlockBlobClient(entry.blobName).downloadToBuffer();
      const payload: unknown = JSON.parse(bytes.toString('utf8'));
      const fields = summaryEntityFields(profiles[entry.schemaId], payload, new Date(entry.receivedAt));
      await table.updateEntity(
        { partitionKey: entry.partitionKey, rowKey: entry.rowKey, ...fields },
        'Merge',
      );
    } catch (err) {
      // A blob that is missing (entry still pending) or unreadable is reported, not fatal.
      failed.push({
        deviceId: entry.partitionKey,
        blobName: entry.blobName,
        reason: (err as Error).message.split('\n')[0]!,
      });
    }
    options.progress?.(++done, todo.length);
  });
  return { examined, rebuilt: todo.length - failed.length, failed };
}
