/** Which devices a coverage report without --device covers. */
import type { ContainerClient } from '@azure/storage-blob';
import type { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';

/** Registered devices and every device with at least one blob (one delimiter listing, not a full one). */
export async function devicesToReport(
  registry: TableDeviceRegistry,
  raw: ContainerClient,
): Promise<string[]> {
  const ids = new Set((await registry.list()).map((d) => d.deviceId));
  for await (const item of raw.listBlobsByHierarchy('/')) {
    if (item.kind === 'prefix') ids.add(item.name.replace(/\/$/, ''));
  }
  return [...ids].sort();
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the input order in the result. */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
