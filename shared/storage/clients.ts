import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { Config, StorageConnection } from '../config';

export interface StorageClients {
  blobService: BlobServiceClient;
  rawContainer: ContainerClient;
  exportsContainer: ContainerClient;
  tableService: TableServiceClient;
  idempotencyTable: TableClient;
  devicesTable: TableClient;
}

/**
 * The credential for keyless storage access. With a managed identity's client id (AZURE_CLIENT_ID,
 * set by Bicep; loadConfig keeps it only on App Service / Functions) it is that identity directly:
 * no credential chain probed on a cold start, no chance of signing in as something else. Without
 * one (a developer's machine, a pipeline, the ops CLI: az/azd login, environment, workload identity)
 * DefaultAzureCredential finds whatever sign-in there is.
 */
export function credentialFor(storage: Extract<StorageConnection, { kind: 'identity' }>): TokenCredential {
  const clientId = storage.managedIdentityClientId;
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

/**
 * The SDK clients, built once per process. Locally a connection string (Azurite); in Azure the
 * account endpoints with the app's managed identity (see credentialFor): no keys anywhere.
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
    const credential = credentialFor(storage);
    blobService = new BlobServiceClient(storage.blobEndpoint, credential, blobOptions);
    tableService = new TableServiceClient(storage.tableEndpoint, credential, tableOptions);
    tableClient = (name) => new TableClient(storage.tableEndpoint, name, credential, tableOptions);
  }
  return {
    blobService,
    rawContainer: blobService.getContainerClient(config.rawContainer),
    exportsContainer: blobService.getContainerClient(config.exportsContainer),
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
  await clients.exportsContainer.createIfNotExists();
  await clients.tableService.createTable(clients.idempotencyTable.tableName);
  await clients.tableService.createTable(clients.devicesTable.tableName);
}
