import type { ContainerClient } from '@azure/storage-blob';
import { storageCall } from './storage/storageCall';
import type { IdempotencyStore } from './storage/types';

/** Storage is "reachable" when the raw container and the idempotency table both answer. */
export async function checkStorage(
  rawContainer: ContainerClient,
  records: IdempotencyStore,
  timeoutMs: number,
): Promise<void> {
  await Promise.all([
    storageCall('blob.containerProperties', timeoutMs, (abortSignal) =>
      rawContainer.getProperties({ abortSignal }),
    ),
    records.ping(),
  ]);
}
