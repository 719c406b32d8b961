import { isLedgerRowKey } from '../../shared/ledger/rowKeys';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';

/** Reads what really landed in Azurite, independently of the code under test. */
export class StorageInspector {
  private readonly blobs;
  private readonly table: TableClient;

  constructor(connectionString: string, rawContainer: string, idempotencyTable: string) {
    this.blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(rawContainer);
    this.table = TableClient.fromConnectionString(connectionString, idempotencyTable, {
      allowInsecureConnection: true,
    });
  }

  async blobNames(prefix?: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.blobs.listBlobsFlat({ prefix })) names.push(blob.name);
    return names.sort();
  }

  async blob(name: string): Promise<{
    bytes: Buffer;
    contentType?: string;
    contentMD5?: Uint8Array;
    metadata: Record<string, string>;
  }> {
    const client = this.blobs.getBlobClient(name);
    const props = await client.getProperties();
    return {
      bytes: await client.downloadToBuffer(),
      contentType: props.contentType,
      contentMD5: props.contentMD5,
      metadata: props.metadata ?? {},
    };
  }

  /** The claims (idempotency entries), without the ledger rows beside them (shared/ledger/rowKeys.ts). */
  async entities(partitionKey?: string): Promise<Array<Record<string, unknown>>> {
    return (await this.rows(partitionKey)).filter((e) => !isLedgerRowKey(String(e.rowKey)));
  }

  /** The ledger rows: unsettled-claim markers, the file log and the day rollups. */
  async ledgerRows(partitionKey?: string): Promise<Array<Record<string, unknown>>> {
    return (await this.rows(partitionKey)).filter((e) => isLedgerRowKey(String(e.rowKey)));
  }

  private async rows(partitionKey?: string): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    const filter = partitionKey ? `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'` : undefined;
    for await (const entity of this.table.listEntities({ queryOptions: { filter } })) out.push(entity);
    return out;
  }

  /** How many blobs and idempotency entries exist: compare before and after to prove "nothing written". */
  async counts(): Promise<{ blobs: number; entries: number }> {
    return { blobs: (await this.blobNames()).length, entries: (await this.entities()).length };
  }

  async isEmpty(): Promise<boolean> {
    return (await this.blobNames()).length === 0 && (await this.entities()).length === 0;
  }
}
