import type { TableClient } from '@azure/data-tables';
import type { Claim } from '../idempotencyRecord';
import { toRowKey } from '../idempotencyKey';
import { claimOf, type Entity } from './ledgerEntities';
import { storageCall } from './storageCall';

/** One point read of a file's claim (the ingest path's and the sweep's); undefined when there is none. */
export function readClaim(
  table: TableClient,
  timeoutMs: number,
  deviceId: string,
  key: string,
): Promise<Claim | undefined> {
  return storageCall(
    'table.get',
    timeoutMs,
    async (abortSignal) => claimOf(await table.getEntity<Entity>(deviceId, toRowKey(key), { abortSignal })),
    ({ statusCode }) => (statusCode === 404 ? null : undefined),
  ).then((claim) => claim ?? undefined);
}
