/**
 * `npm run fuzz -- [--runs 5000] [--seed N]`: the property of test/integration/fuzz.test.ts for as
 * long as you like, against a private in-memory Azurite. Prints the seed, so a failure can be replayed.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { parseArgs } from 'node:util';
import { createIngestHandler } from '../../functions/ingest';
import { loadConfig } from '../../shared/config';
import { createRuntime } from '../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { startAzurite } from '../../scripts/lib/azurite';
import { addDevice } from '../../shared/auth/deviceAdmin';
import { assertNever5xx } from './fuzz/ingestFuzz';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5000' }, seed: { type: 'string' } },
  });
  const numRuns = Number(values.runs);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const azurite = await startAzurite({ inMemory: true });
  try {
    const config = loadConfig({
      DATA_STORAGE_CONNECTION_STRING: azurite.connectionString,
      MAX_BODY_BYTES: '65536',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    const clients = createStorageClients(config);
    await ensureStorageResources(clients);
    const registry = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
    const keys: Record<string, string> = {};
    for (const deviceId of ['truck-f1', 'pump-f2', 'truck-f3'])
      keys[deviceId] = await addDevice(registry, deviceId);
    const runtime = createRuntime(config);
    const handler = createIngestHandler(() => runtime);
    const context = new InvocationContext({ functionName: 'ingest', logHandler: () => undefined });

    console.log(`fuzz: ${numRuns} runs, seed ${seed}`);
    const started = Date.now();
    const { statuses } = await assertNever5xx(
      async (r) => {
        const request = new HttpRequest({
          method: r.method,
          url: 'http://localhost/api/ingest/x',
          params: { deviceId: r.deviceId },
          headers: r.headers,
          body: r.method === 'GET' ? undefined : { bytes: r.body },
        });
        const response = await handler(request, context);
        return { status: response.status ?? 200, body: (response.jsonBody ?? {}) as Record<string, unknown> };
      },
      keys,
      { numRuns, seed },
    );
    await runtime.checkHealth();
    console.log(
      `fuzz: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; status counts ${JSON.stringify(statuses)}`,
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
