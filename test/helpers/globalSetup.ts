/**
 * Does what the unit-only run does (unitGlobalSetup.ts: Node major, Ajv standalone validators), then
 * starts one real Azurite for the whole run (in memory, free ports). Under CI=true an Azurite that cannot start fails the run; elsewhere the Azurite-backed
 * suites skip loudly.
 */
import { startAzurite, type AzuriteInstance } from '../../scripts/lib/azurite';
import { failInCiOrWarn } from './ci';
import unitGlobalSetup from './unitGlobalSetup';

declare global {
  var __AZURITE__: AzuriteInstance | undefined;
}

export default async function globalSetup(): Promise<void> {
  unitGlobalSetup();
  try {
    const azurite = await startAzurite({ inMemory: true });
    globalThis.__AZURITE__ = azurite;
    process.env.TEST_AZURITE_CONNECTION_STRING = azurite.connectionString;
    process.env.TEST_AZURITE_BLOB_PORT = String(azurite.blobPort);
    process.env.TEST_AZURITE_TABLE_PORT = String(azurite.tablePort);
  } catch (err) {
    process.env.TEST_AZURITE_UNAVAILABLE = (err as Error).message;
    failInCiOrWarn('Azurite', (err as Error).message);
  }
}
