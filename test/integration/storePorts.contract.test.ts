/**
 * One contract (test/helpers/storePortsContract.ts), two implementations: the in-memory doubles the
 * unit tests run on, and the real adapters against Azurite. A case that passes on one and fails on
 * the other is a double that lies, or an adapter that loses something.
 */
import { loadConfig } from '../../shared/config';
import { BlobRawStore } from '../../shared/storage/blobRawStore';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { TableIdempotencyStore } from '../../shared/storage/tableIdempotencyStore';
import { azuriteConnectionString, describeWithAzurite, uniqueStorageNames } from '../helpers/azurite';
import { MemoryBlobStore, MemoryDeviceRegistry, MemoryIdempotencyStore } from '../helpers/memoryStores';
import { type StorePorts, storePortsContract } from '../helpers/storePortsContract';
import { StorageInspector } from '../helpers/storageInspector';

describe('in-memory doubles (test/helpers/memoryStores.ts)', () => {
  storePortsContract(async () => {
    const blobs = new MemoryBlobStore();
    return {
      records: new MemoryIdempotencyStore(),
      blobs,
      devices: new MemoryDeviceRegistry(),
      readBlob: async (name) => {
        const blob = blobs.peek(name);
        return blob && { bytes: blob.body.toBuffer(), metadata: blob.metadata };
      },
    };
  });
});

describeWithAzurite('Azure adapters on Azurite (shared/storage/)', () => {
  storePortsContract(async (): Promise<StorePorts> => {
    // Fresh container and tables for every case: no case sees another's data.
    const names = uniqueStorageNames();
    const connectionString = azuriteConnectionString();
    const clients = createStorageClients(
      loadConfig({
        DATA_STORAGE_CONNECTION_STRING: connectionString,
        RAW_CONTAINER: names.rawContainer,
        IDEMPOTENCY_TABLE: names.idempotencyTable,
        DEVICES_TABLE: names.devicesTable,
      }),
    );
    await ensureStorageResources(clients);
    const inspector = new StorageInspector(connectionString, names.rawContainer, names.idempotencyTable);
    return {
      records: new TableIdempotencyStore(clients.idempotencyTable, 10_000),
      blobs: new BlobRawStore(clients.rawContainer, 10_000),
      devices: new TableDeviceRegistry(clients.devicesTable, 10_000),
      readBlob: async (name) => {
        if (!(await inspector.blobNames()).includes(name)) return undefined;
        const { bytes, metadata } = await inspector.blob(name);
        return { bytes, metadata };
      },
    };
  });
});
