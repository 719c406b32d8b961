import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { restErrorOf } from '../storage/storageCall';
import { type ExportManifest, SLOT_PATTERN, type TableRole, manifestName } from './layout';

/** The restore would write into tables that already hold entities. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

/** An export that is missing, incomplete or damaged. */
export class ExportUnusableError extends Error {
  override name = 'ExportUnusableError';
}

export interface RestoreOptions {
  container: ContainerClient;
  /** Target tables by role (their names may differ from the exported ones). */
  tables: Partial<Record<TableRole, TableClient>>;
  /** The export's slot; default: the newest complete export. */
  slot?: string;
  dryRun?: boolean;
  /** Write into tables that are not empty; entities that exist there are kept, never replaced. */
  allowNonEmpty?: boolean;
}

export interface RestoredTable {
  role: TableRole;
  /** The target table. */
  name: string;
  /** Entities in the export. */
  entities: number;
  /** Entities written (0 in a dry run). */
  written: number;
  /** Entities already in the target, left as they are. */
  existing: number;
}

export interface RestoreReport {
  slot: string;
  dryRun: boolean;
  tables: RestoredTable[];
}

/** Slots of complete exports (those with a manifest), oldest first. */
export async function completeExports(container: ContainerClient): Promise<string[]> {
  const slots: string[] = [];
  for await (const item of container.listBlobsByHierarchy('/')) {
    if (item.kind !== 'prefix') continue;
    const slot = item.name.replace(/\/$/, '');
    if (SLOT_PATTERN.test(slot) && (await container.getBlobClient(manifestName(slot)).exists()))
      slots.push(slot);
  }
  return slots.sort();
}

export async function readManifest(container: ContainerClient, slot: string): Promise<ExportManifest> {
  if (!SLOT_PATTERN.test(slot))
    throw new ExportUnusableError(`"${slot}" is not an export name (e.g. 2026-11-27T01)`);
  try {
    const bytes = await container.getBlobClient(manifestName(slot)).downloadToBuffer();
    return JSON.parse(bytes.toString('utf8')) as ExportManifest;
  } catch (error) {
    if (restErrorOf(error).statusCode === 404)
      throw new ExportUnusableError(`export ${slot} has no manifest: it is missing or did not complete`);
    throw error;
  }
}

/**
 * Reads an export back into the tables. Refuses, before writing anything, when a target table is
 * not empty (unless allowNonEmpty) and when a part's bytes do not match the manifest's SHA-256.
 */
export async function restoreTables(options: RestoreOptions): Promise<RestoreReport> {
  const { container, dryRun = false } = options;
  const slot = options.slot ?? (await completeExports(container)).pop();
  if (!slot) throw new ExportUnusableError('there is no complete export to restore from');
  const manifest = await readManifest(container, slot);
  const exported = manifest.tables.filter((t) => options.tables[t.role] !== undefined);
  const target = (role: TableRole) => options.tables[role]!;

  const occupied: string[] = [];
  for (const table of exported) {
    if (!(await isEmpty(target(table.role)))) occupied.push(target(table.role).tableName);
  }
  if (occupied.length > 0 && !options.allowNonEmpty) {
    throw new RestoreRefusedError(
      `target table(s) ${occupied.join(', ')} already hold entities; restore into empty tables, or pass --allow-non-empty (existing entities are kept, never replaced)`,
    );
  }

  const parts = new Map<string, Array<Record<string, unknown>>>();
  for (const table of exported) {
    for (const part of table.parts) parts.set(part.blob, await readPart(container, part.blob, part.sha256));
  }

  const report: RestoreReport = { slot, dryRun, tables: [] };
  for (const table of exported) {
    const into = target(table.role);
    const result: RestoredTable = {
      role: table.role,
      name: into.tableName,
      entities: 0,
      written: 0,
      existing: 0,
    };
    for (const part of table.parts) {
      for (const entity of parts.get(part.blob)!) {
        result.entities += 1;
        if (dryRun) continue;
        if (await createIfAbsent(into, entity)) result.written += 1;
        else result.existing += 1;
      }
    }
    report.tables.push(result);
  }
  return report;
}

async function isEmpty(table: TableClient): Promise<boolean> {
  const firstPage = await table
    .listEntities({ queryOptions: { select: ['RowKey'] } })
    .byPage({ maxPageSize: 1 })
    .next();
  return firstPage.done === true || firstPage.value.length === 0;
}

async function readPart(
  container: ContainerClient,
  blob: string,
  sha256: string,
): Promise<Array<Record<string, unknown>>> {
  const bytes = await container.getBlobClient(blob).downloadToBuffer();
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256)
    throw new ExportUnusableError(
      `part ${blob} does not match its manifest (SHA-256 ${actual}, expected ${sha256})`,
    );
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function createIfAbsent(table: TableClient, entity: Record<string, unknown>): Promise<boolean> {
  // Timestamp is the service's own; odata annotations are not properties.
  const properties = { ...entity };
  delete properties.timestamp;
  try {
    await table.createEntity(properties as { partitionKey: string; rowKey: string });
    return true;
  } catch (error) {
    if (restErrorOf(error).statusCode === 409) return false;
    throw error;
  }
}
