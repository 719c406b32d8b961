import type { IdempotencyRecord } from './idempotencyRecord';

/**
 * The files this instance has seen durably stored (its own 201 from the blob write, or a resend it
 * confirmed), least recently used out first. Stored is final: the ingest path never deletes or
 * rewrites a blob, so a resend found here is answered 200 `duplicate` (or 422 for a reused key)
 * without a storage round trip. A resend to another instance finds nothing here and takes the
 * storage path, which is the judge either way.
 */
/** Only what an answer needs; the reading summary is the table's business. */
const answerable = ({ summary: _summary, ...rest }: IdempotencyRecord): IdempotencyRecord => rest;

export class SettledFiles {
  private readonly entries = new Map<string, IdempotencyRecord>();

  constructor(private readonly maxEntries = 10_000) {}

  get(deviceId: string, key: string): IdempotencyRecord | undefined {
    const id = `${deviceId}\n${key}`;
    const record = this.entries.get(id);
    if (record) {
      this.entries.delete(id);
      this.entries.set(id, record);
    }
    return record;
  }

  remember(record: IdempotencyRecord): void {
    const id = `${record.deviceId}\n${record.key}`;
    this.entries.delete(id);
    this.entries.set(id, answerable(record));
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
