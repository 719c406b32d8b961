import { type Config, loadConfig } from '../../shared/config';
import {
  createStorageClients,
  ensureStorageResources,
  type StorageClients,
} from '../../shared/storage/clients';
import { applyLocalSettings } from '../lib/localSettings';

export interface StorageTarget {
  config: Config;
  clients: StorageClients;
  /** For messages: "account NAME" or "local storage (Azurite)". */
  where: string;
}

/**
 * The storage an ops command works on: a real account by `--account NAME` (or
 * DATA_STORAGE_ACCOUNT_NAME), signing in with Entra ID (`az login`), no keys; otherwise the local
 * settings' Azurite, whose tables and container are created on first use.
 */
export async function openStorage(account?: string): Promise<StorageTarget> {
  if (account) process.env.DATA_STORAGE_ACCOUNT_NAME = account;
  const inAzure = Boolean(
    process.env.DATA_STORAGE_ACCOUNT_NAME && !process.env.DATA_STORAGE_CONNECTION_STRING,
  );
  if (!inAzure) applyLocalSettings();
  const config = loadConfig();
  const clients = createStorageClients(config);
  // Azurite starts empty; in Azure the Bicep templates create the tables and containers.
  if (!inAzure) await ensureStorageResources(clients);
  return {
    config,
    clients,
    where: inAzure ? `account ${process.env.DATA_STORAGE_ACCOUNT_NAME}` : 'local storage (Azurite)',
  };
}
