import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { applyLocalSettings } from '../../lib/localSettings';
import { isStorageAccountName } from '../../../shared/storageAccountName';
import { UsageError } from '../exitCodes';

/** `--account NAME`: the public-cloud blob endpoint, signed in with Entra ID (az login, azd, env, ...). */
function accountService(account: string): BlobServiceClient {
  if (!isStorageAccountName(account))
    throw new UsageError(`"${account}" is not a storage account name (3-24 lowercase letters and digits).`);
  return new BlobServiceClient(`https://${account}.blob.core.windows.net`, new DefaultAzureCredential());
}

export interface SyncSourceOptions {
  sasUrl?: string;
  account?: string;
  connectionStringEnv?: string;
  container: string;
}

/** The container a sync reads, from exactly one of --sas-url, --account, --connection-string-env. */
export function containerForSync(options: SyncSourceOptions): ContainerClient {
  const given = [options.sasUrl, options.account, options.connectionStringEnv].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new UsageError('Give exactly one of --sas-url, --account or --connection-string-env.');
  if (options.sasUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.sasUrl);
    } catch {
      throw new UsageError('--sas-url is not a URL; quote it in the shell (it contains &).');
    }
    if (!url.searchParams.has('sig'))
      throw new UsageError('--sas-url has no signature (sig=...): pass the whole container SAS URL.');
    return new ContainerClient(options.sasUrl);
  }
  if (options.account !== undefined)
    return accountService(options.account).getContainerClient(options.container);
  const name = options.connectionStringEnv!;
  const connectionString = process.env[name];
  if (!connectionString) throw new UsageError(`The environment variable ${name} is not set.`);
  return BlobServiceClient.fromConnectionString(connectionString).getContainerClient(options.container);
}

/**
 * The service a SAS is signed for, as the device CLI chooses its storage: `--account` (or
 * DATA_STORAGE_ACCOUNT_NAME without a connection string) is Azure with Entra ID; otherwise the local
 * settings' DATA_STORAGE_CONNECTION_STRING (Azurite).
 */
export function serviceForSas(account?: string): { service: BlobServiceClient; where: string } {
  const named =
    account ??
    (process.env.DATA_STORAGE_CONNECTION_STRING ? undefined : process.env.DATA_STORAGE_ACCOUNT_NAME);
  if (named) return { service: accountService(named), where: `account ${named}` };
  applyLocalSettings();
  const connectionString = process.env.DATA_STORAGE_CONNECTION_STRING;
  if (!connectionString)
    throw new UsageError('No storage: pass --account, or set DATA_STORAGE_CONNECTION_STRING for Azurite.');
  return { service: BlobServiceClient.fromConnectionString(connectionString), where: 'local storage' };
}
