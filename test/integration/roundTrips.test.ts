/**
 * Storage round trips per outcome, counted on the wire between the real SDK clients and Azurite,
 * with the runtime as deployed (the in-memory answer for settled files on).
 */
import { createRuntime } from '../../shared/runtime';
import { loadConfig } from '../../shared/config';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { ChaosProxy, type ProxyLogEntry } from '../support/faults/faultProxy';
import { azuritePorts, connectionStringVia, describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { ingestRequest } from '../helpers/ingestRequest';
import { oilPayload } from '../helpers/testApp';

describeWithAzurite('round trips per outcome', () => {
  const wire: ProxyLogEntry[] = [];
  let blobProxy: ChaosProxy;
  let tableProxy: ChaosProxy;
  let runtime: ReturnType<typeof createRuntime>;
  let other: ReturnType<typeof createRuntime>;
  const { env } = uniqueStorageEnv();

  beforeAll(async () => {
    const { blobPort, tablePort } = azuritePorts();
    blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort }, undefined, 'blob', wire);
    tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, undefined, 'table', wire);
    await ensureStorageResources(createStorageClients(loadConfig(env)));
    const settings = {
      ...env,
      DATA_STORAGE_CONNECTION_STRING: connectionStringVia(
        await blobProxy.listen(),
        await tableProxy.listen(),
      ),
      INGEST_AUTH: 'off',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    // Two instances on one storage account, as deployed.
    runtime = createRuntime(loadConfig(settings), { warn: () => undefined });
    other = createRuntime(loadConfig(settings), { warn: () => undefined });
  });
  afterAll(async () => {
    await blobProxy.close();
    await tableProxy.close();
  });

  const send = async (rt: typeof runtime, body: string) => {
    wire.length = 0;
    const outcome = await rt.ingest.ingest(ingestRequest('truck-rt1', { body }));
    return { status: outcome.status, trips: wire.map((e) => `${e.via} ${e.method}`) };
  };

  test('a new file costs exactly the two writes; its resend to the same instance costs none', async () => {
    const body = oilPayload('truck-rt1');
    expect(await send(runtime, body)).toEqual({ status: 'stored', trips: ['table POST', 'blob PUT'] });
    expect(await send(runtime, body)).toEqual({ status: 'duplicate', trips: [] });
  });

  test('a resend to another instance: the insert conflicts, the entry is read, the blob checked once', async () => {
    const body = oilPayload('truck-rt1', { sequence: 2 });
    await send(runtime, body);
    expect(await send(other, body)).toEqual({
      status: 'duplicate',
      trips: ['table POST', 'table GET', 'blob HEAD', 'table PATCH'],
    });
    // Now `stored` in the table: a third instance reads it and stops there.
    const third = createRuntime(runtime.config, { warn: () => undefined });
    expect(await send(third, body)).toEqual({ status: 'duplicate', trips: ['table POST', 'table GET'] });
  });
});
