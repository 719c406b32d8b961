/**
 * Reads what coverage needs from storage: the devices (registry plus any with files), and for each
 * device the reading summaries of its idempotency entries that touch the range. One partition query
 * per device, a few devices at a time; no blob is downloaded.
 */
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import type { FileSummary, Range } from './coverage';
import { odataString } from '../../../shared/storage/odata';

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

/**
 * The entries whose readings overlap the range, or which arrived in it (files without reading
 * times): two conditions the table evaluates, so only those entries travel.
 */
export async function summariesOf(
  table: TableClient,
  deviceId: string,
  { from, to }: Range,
): Promise<FileSummary[]> {
  const f = odataString(from.toISOString());
  const t = odataString(to.toISOString());
  const filter =
    `PartitionKey eq ${odataString(deviceId)} and ` +
    `((firstReadingAt lt ${t} and lastReadingAt ge ${f}) or (receivedAt ge ${f} and receivedAt lt ${t}))`;
  const out: FileSummary[] = [];
  const entities = table.listEntities<Record<string, unknown>>({
    queryOptions: { filter, select: ['receivedAt', 'readings', 'readingHours', 'clockOffsetSeconds'] },
  });
  for await (const e of entities) {
    out.push({
      receivedAt: String(e.receivedAt),
      readings: typeof e.readings === 'number' ? e.readings : undefined,
      readingHours: typeof e.readingHours === 'string' ? e.readingHours : undefined,
      clockOffsetSeconds: typeof e.clockOffsetSeconds === 'number' ? e.clockOffsetSeconds : undefined,
    });
  }
  return out;
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
