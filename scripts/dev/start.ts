/**
 * `npm start`: Azurite + the real v4 handlers on http://localhost:7071/api/... (and https on 7443
 * when `npm run cert` has made a certificate), like `func start`. Ctrl-C stops both.
 */
import { loadConfig } from '../../shared/config';
import { describeError } from '../../shared/errors';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { type AzuriteInstance, DEFAULT_AZURITE_DIR, isPortOpen, startAzurite } from '../lib/azurite';
import { DEFAULT_CERT_DIR, certFiles, loadServerTls } from '../lib/certs';
import { provisionDemoDevice } from '../../shared/auth/deviceAdmin';
import { DevHost } from './devHost';
import { httpFunctionsOf, loadFunctionApp } from './loadFunctionApp';
import { TimerHost, timerFunctionsOf } from './timerHost';
import { applyLocalSettings, functionAppMain, hostRoutePrefix } from '../lib/localSettings';

const AZURITE_PORTS = { blobPort: 10000, queuePort: 10001, tablePort: 10002 };
const DEMO_DEVICE = 'truck-042';

async function main(): Promise<void> {
  const settingsFile = applyLocalSettings();
  const port = Number(process.env.PORT ?? 7071);
  const httpsPort = Number(process.env.HTTPS_PORT ?? 7443);
  const certDir = process.env.DEV_CERT_DIR ?? DEFAULT_CERT_DIR;
  // Loopback by default; HOST=0.0.0.0 lets a gateway on the LAN test against `npm run cert -- --ip`.
  const bindHost = process.env.HOST?.trim() || '127.0.0.1';

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
  const clients = createStorageClients(config);
  await ensureStorageResources(clients);
  const demoKey = config.authEnabled
    ? await provisionDemoDevice(
        new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs),
        DEMO_DEVICE,
        'oil-condition-v1',
      )
    : undefined;

  const app = loadFunctionApp(functionAppMain());
  const functions = httpFunctionsOf(app.functions);
  const prefix = hostRoutePrefix();
  const host = new DevHost({ functions, routePrefix: prefix, httpStream: app.httpStream });
  const servers = [await host.listen(port, bindHost)];
  const tls = loadServerTls(certDir);
  if (tls) servers.push(await host.listen(httpsPort, bindHost, tls));
  // Timer functions run on their schedules, as under `func start`.
  const timers = new TimerHost(timerFunctionsOf(app.functions));
  timers.start();

  console.log(`\nSettings: ${settingsFile}`);
  for (const { url } of servers) {
    for (const fn of functions)
      console.log(`  ${fn.name}: [${fn.methods.join(',')}] ${url}/${prefix}/${fn.route}`);
  }
  for (const timer of timers.schedule())
    console.log(`  ${timer.name}: timer '${timer.schedule}' (UTC), next ${timer.next.toISOString()}`);
  const auth = demoKey ? ` \\\n    -H 'Authorization: Bearer ${demoKey}'` : '';
  console.log(
    `\nDemo device ${DEMO_DEVICE}${demoKey ? ` (a new key each start; older start keys are revoked)` : ''}. Try it:`,
  );
  console.log(
    `  curl -i -X POST ${servers[0]!.url}/${prefix}/ingest/${DEMO_DEVICE}${auth} \\\n    -H 'Content-Type: application/json' --data-binary @docs/samples/oil-condition.json\n`,
  );
  if (tls) console.log(`  HTTPS: add --cacert ${certFiles(certDir).caCert} and use ${servers[1]!.url}\n`);
  else console.log('  HTTPS: run `npm run cert` first to serve https on port 7443 too.\n');
  console.log('Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    timers.stop();
    for (const { server } of servers) {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    }
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
