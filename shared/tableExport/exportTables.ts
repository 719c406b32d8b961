import { createHash, randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { storageCall } from '../storage/storageCall';
import {
  EXPORT_FORMAT_VERSION,
  type ExportManifest,
  type ExportPart,
  type ExportedTable,
  type TableRole,
  exportSlot,
  manifestName,
  partName,
} from './layout';

export interface ExportOptions {
  container: ContainerClient;
  tables: Array<{ role: TableRole; client: TableClient }>;
  /** When the run was due; names the slot. */
  now: Date;
  timeoutMs: number;
  /** Entities per part blob: bounds the memory of a run, whatever the table's size. */
  partSize?: number;
}

export type ExportResult =
  { status: 'exported'; manifest: ExportManifest } | { status: 'exists'; slot: string };

/** Every stored property with its EDM type, so a restore writes back exactly what was read. */
type RawEntity = Record<string, unknown> & { etag?: unknown };

/**
 * Exports every entity of each table as NDJSON parts, then the manifest (the completion marker).
 * Each blob is one conditional create (If-None-Match: *): nothing is ever overwritten, a slot that
 * already has its manifest is left alone, and two concurrent runs end with exactly one manifest.
 * Entities are read page by page while the tables keep changing: each entity is as it was when its
 * page was read, not a point-in-time snapshot of the whole table.
 */
export async function exportTables(options: ExportOptions): Promise<ExportResult> {
  const { container, timeoutMs } = options;
  const slot = exportSlot(options.now);
  const manifestBlob = container.getBlockBlobClient(manifestName(slot));
  if (await storageCall('exports.exists', timeoutMs, (abortSignal) => manifestBlob.exists({ abortSignal })))
    return { status: 'exists', slot };

  const attempt = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const tables: ExportedTable[] = [];
  for (const { role, client } of options.tables) {
    tables.push({ role, ...(await exportTable(options, client, slot, attempt)) });
  }
  const manifest: ExportManifest = {
    formatVersion: EXPORT_FORMAT_VERSION,
    slot,
    attempt,
    startedAt,
    completedAt: new Date().toISOString(),
    tables,
  };
  const created = await createBlob(
    container,
    manifestName(slot),
    JSON.stringify(manifest, null, 2),
    timeoutMs,
  );
  return created ? { status: 'exported', manifest } : { status: 'exists', slot };
}

async function exportTable(
  { container, timeoutMs, partSize = 10_000 }: ExportOptions,
  table: TableClient,
  slot: string,
  attempt: string,
): Promise<Omit<ExportedTable, 'role'>> {
  const parts: ExportPart[] = [];
  let lines: string[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    const body = `${lines.join('\n')}\n`;
    const blob = partName(slot, attempt, table.tableName, parts.length);
    await createBlob(container, blob, body, timeoutMs);
    parts.push({
      blob,
      entities: lines.length,
      bytes: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    lines = [];
  };
  for await (const entity of table.listEntities<RawEntity>({ disableTypeConversion: true })) {
    const stored: RawEntity = { ...entity };
    delete stored.etag;
    lines.push(JSON.stringify(stored));
    if (lines.length >= partSize) await flush();
  }
  await flush();
  return { name: table.tableName, entities: parts.reduce((n, p) => n + p.entities, 0), parts };
}

/** One Put Blob that never overwrites: true if it created the blob, false if the name was taken. */
async function createBlob(
  container: ContainerClient,
  name: string,
  body: string,
  timeoutMs: number,
): Promise<boolean> {
  const client = container.getBlockBlobClient(name);
  const bytes = Buffer.from(body);
  return storageCall(
    'exports.upload',
    timeoutMs,
    async (abortSignal) => {
      await client.upload(bytes, bytes.byteLength, {
        abortSignal,
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: {
          blobContentType: name.endsWith('.json') ? 'application/json' : 'application/x-ndjson',
        },
      });
      return true;
    },
    ({ statusCode }) => (statusCode === 409 || statusCode === 412 ? false : undefined),
  );
}
