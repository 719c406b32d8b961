/**
 * Starts one real Azurite for the whole run (in memory, free ports) and generates the Ajv standalone
 * validators. Under CI=true an Azurite that cannot start fails the run; elsewhere the Azurite-backed
 * suites skip loudly.
 */
import { generateValidators } from '../../scripts/build/buildValidators';
import { startAzurite, type AzuriteInstance } from '../../scripts/lib/azurite';
import { failInCiOrWarn } from './ci';

/** functionAppConfig.runtime.version in infra/app/api.bicep. */
const PRODUCTION_NODE_MAJOR = 22;

declare global {
  var __AZURITE__: AzuriteInstance | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Azure runs the app on Node 22; tests on another major prove less (the project brings 22 on Linux x64).
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== PRODUCTION_NODE_MAJOR) {
    failInCiOrWarn(
      `Node ${PRODUCTION_NODE_MAJOR}`,
      `running on Node ${process.versions.node}; run through npm (npm test)`,
    );
  }
  generateValidators();
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
