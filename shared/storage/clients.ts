import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { Config } from '../config';

export interface StorageClients {
  blobService: BlobServiceClient;
  rawContainer: ContainerClient;
  tableService: TableServiceClient;
  idempotencyTable: TableClient;
  devicesTable: TableClient;
}

/**
 * The SDK clients, built once per process. Locally a connection string (Azurite); in Azure the
 * account endpoints with DefaultAzureCredential (the app's managed identity): no keys anywhere.
 *
 * The SDKs' own retries are kept short so one request stays within STORAGE_TIMEOUT_MS; the device's
 * retry is the outer loop.
 */
export function createStorageClients(config: Config): StorageClients {
  const blobOptions: StoragePipelineOptions = {
    retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1000 },
  };
  const tableOptions = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 },
  };
  const { storage } = config;

  let blobService: BlobServiceClient;
  let tableService: TableServiceClient;
  let tableClient: (name: string) => TableClient;
  if (storage.kind === 'connectionString') {
    const { connectionString } = storage;
    const options = { ...tableOptions, allowInsecureConnection: isPlainHttp(connectionString) };
    blobService = BlobServiceClient.fromConnectionString(connectionString, blobOptions);
    tableService = TableServiceClient.fromConnectionString(connectionString, options);
    tableClient = (name) => TableClient.fromConnectionString(connectionString, name, options);
  } else {
    const credential = new DefaultAzureCredential({
      managedIdentityClientId: storage.managedIdentityClientId,
    });
    blobService = new BlobServiceClient(storage.blobEndpoint, credential, blobOptions);
    tableService = new TableServiceClient(storage.tableEndpoint, credential, tableOptions);
    tableClient = (name) => new TableClient(storage.tableEndpoint, name, credential, tableOptions);
  }
  return {
    blobService,
    rawContainer: blobService.getContainerClient(config.rawContainer),
    tableService,
    idempotencyTable: tableClient(config.idempotencyTable),
    devicesTable: tableClient(config.devicesTable),
  };
}

/** Azurite speaks plain HTTP on loopback; the Tables SDK refuses that unless told. */
function isPlainHttp(connectionString: string): boolean {
  return (
    /UseDevelopmentStorage=true/i.test(connectionString) ||
    /EndpointsProtocol=http;|Endpoint=http:\/\//i.test(connectionString)
  );
}

/** Creates the container and table if missing: for Azurite and the CLI tools (Bicep creates them in Azure). */
export async function ensureStorageResources(clients: StorageClients): Promise<void> {
  await clients.rawContainer.createIfNotExists();
  await clients.tableService.createTable(clients.idempotencyTable.tableName);
  await clients.tableService.createTable(clients.devicesTable.tableName);
}
