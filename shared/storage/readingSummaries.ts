/**
 * The reading summaries coverage judges, read from the idempotency table: one partition query per
 * device, filtered and projected by the table, so only the entries that touch the range travel and
 * no blob is downloaded.
 */
import type { TableClient } from '@azure/data-tables';
import type { FileSummary, Range } from '../coverage';
import { odataString } from './odata';

/**
 * The entries of one device whose readings overlap the range, or which arrived in it (files without
 * reading times): two conditions the table evaluates.
 */
export async function readingSummaries(
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
