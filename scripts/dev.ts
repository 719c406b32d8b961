/**
 * `npm start`: Azurite + the real v4 handlers on http://localhost:7071/api/..., like `func start`.
 * Ctrl-C stops both.
 */
import { loadConfig } from '../shared/config';
import { describeError } from '../shared/errors';
import { createStorageClients, ensureStorageResources } from '../shared/storage/clients';
import { type AzuriteInstance, DEFAULT_AZURITE_DIR, isPortOpen, startAzurite } from './azurite';
import { DevHost } from './functionsHost/devHost';
import { httpFunctionsOf, loadFunctionApp } from './functionsHost/loadFunctionApp';
import { applyLocalSettings, functionAppMain, hostRoutePrefix } from './localSettings';

const AZURITE_PORTS = { blobPort: 10000, queuePort: 10001, tablePort: 10002 };

async function main(): Promise<void> {
  const settingsFile = applyLocalSettings();
  const port = Number(process.env.PORT ?? 7071);

  let azurite: AzuriteInstance | undefined;
  if (/UseDevelopmentStorage=true/i.test(process.env.DATA_STORAGE_CONNECTION_STRING ?? '')) {
    if (await isPortOpen(AZURITE_PORTS.blobPort)) {
      console.log(
        `Azurite: port ${AZURITE_PORTS.blobPort} is in use; using the emulator already running there.`,
      );
    } else {
      azurite = await startAzurite({ location: DEFAULT_AZURITE_DIR, ...AZURITE_PORTS });
      console.log(`Azurite: blob :${azurite.blobPort}, table :${azurite.tablePort}, data in .azurite/`);
    }
  }

  const config = loadConfig();
  await ensureStorageResources(createStorageClients(config));

  const functions = httpFunctionsOf(loadFunctionApp(functionAppMain()));
  const host = new DevHost({ functions, routePrefix: hostRoutePrefix() });
  const { server, url } = await host.listen(port, '127.0.0.1');

  console.log(`\nSettings: ${settingsFile}`);
  for (const fn of functions)
    console.log(`  ${fn.name}: [${fn.methods.join(',')}] ${url}/${hostRoutePrefix()}/${fn.route}`);
  console.log(
    `\nTry it:\n  curl -i -X POST ${url}/api/ingest/truck-042 \\\n    -H 'Content-Type: application/json' --data-binary @scripts/samples/oil-condition.json\n`,
  );
  console.log('Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await azurite?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  // process.exit also stops a child Azurite (see startAzurite).
  console.error(`npm start failed: ${err instanceof Error ? err.message : describeError(err)}`);
  process.exit(1);
});
