/**
 * Where the scheduled table exports live in the `table-exports` container (docs/DATA_CONTRACT.md):
 *
 *   {slot}/manifest.json                                   written last: the export is complete
 *   {slot}/{attempt}/{table}/part-{nnnnn}.ndjson           one entity per line
 *
 * `slot` is the UTC hour the run was due (2026-11-27T01): a second run in the same hour finds the
 * manifest and writes nothing. Each attempt writes its parts under its own id, since no identity may
 * overwrite a blob here: parts of a crashed attempt stay unreferenced, and only the manifest says
 * which attempt is the export.
 */
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportPart {
  blob: string;
  entities: number;
  bytes: number;
  /** Hex SHA-256 of the part's bytes: the restore refuses a part that does not match. */
  sha256: string;
}

/** What a table is for: the restore maps by role, so renamed tables still find their export. */
export type TableRole = 'devices' | 'idempotency';

export interface ExportedTable {
  role: TableRole;
  /** The table's name when it was exported. */
  name: string;
  entities: number;
  parts: ExportPart[];
}

export interface ExportManifest {
  formatVersion: number;
  slot: string;
  attempt: string;
  startedAt: string;
  completedAt: string;
  tables: ExportedTable[];
}

export function exportSlot(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export function manifestName(slot: string): string {
  return `${slot}/manifest.json`;
}

export function partName(slot: string, attempt: string, table: string, index: number): string {
  return `${slot}/${attempt}/${table}/part-${String(index).padStart(5, '0')}.ndjson`;
}

/** A slot as written by exportSlot: the only names the restore accepts for --export. */
export const SLOT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
