/**
 * Two dev-host processes sharing one Azurite behind a round-robin balancer, as two Function App
 * instances share one storage account: the idempotency entry's conditional insert, not anything
 * in one process's memory, must keep a file to one blob; and revocation must reach every instance
 * within the cache TTL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice } from '../../shared/auth/deviceAdmin';
import { loadConfig } from '../../shared/config';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { freePort } from '../../scripts/lib/azurite';
import { describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { StorageInspector } from '../helpers/storageInspector';
import { oilPayload } from '../helpers/testApp';
import { RoundRobinProxy } from '../support/roundRobinProxy';
import { HostProcess } from '../support/simulator/processes';

const root = join(__dirname, '..', '..');
const TTL_SECONDS = 3;

describeWithAzurite('two instances behind a round-robin balancer, one storage account', () => {
  const { names, env } = uniqueStorageEnv();
  const hosts: HostProcess[] = [];
  const ports: number[] = [];
  let proxy: RoundRobinProxy;
  let balancer: string;
  let registry: TableDeviceRegistry;
  const inspector = () =>
    new StorageInspector(env.DATA_STORAGE_CONNECTION_STRING!, names.rawContainer, names.idempotencyTable);

  beforeAll(async () => {
    const clients = createStorageClients(loadConfig(env));
    await ensureStorageResources(clients);
    registry = new TableDeviceRegistry(clients.devicesTable, 10_000);
    const logDir = mkdtempSync(join(tmpdir(), 'two-instances-'));
    for (const i of [0, 1]) {
      ports.push(await freePort());
      hosts.push(
        new HostProcess({
          root,
          port: ports[i]!,
          logFile: join(logDir, `host-${i}.log`),
          env: {
            ...(env as Record<string, string>),
            DEVICE_CACHE_TTL_SECONDS: String(TTL_SECONDS),
            RATE_LIMIT_PER_MINUTE: '0',
            HTTPS_PORT: String(await freePort()),
            DEV_CERT_DIR: join(logDir, 'no-certs'),
          },
        }),
      );
    }
    await Promise.all(hosts.map((h) => h.start()));
    proxy = new RoundRobinProxy(ports);
    balancer = await proxy.listen();
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(hosts.map((h) => h.stop()));
  });

  const post = (base: string, deviceId: string, key: string, body: string) =>
    fetch(`${base}/api/ingest/${deviceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
    });

  test('20 identical resends at once, split across both instances: all 200, one stored, one blob', async () => {
    const key = await addDevice(registry, 'truck-950', 'oil-condition-v1');
    const body = oilPayload('truck-950');
    const before = [...proxy.served];
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await post(balancer, 'truck-950', key, body);
        return { http: res.status, ...((await res.json()) as { status: string; blob: string }) };
      }),
    );
    expect(proxy.served.map((n, i) => n - before[i]!)).toEqual([10, 10]);
    expect(answers.map((a) => a.http)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.status === 'stored')).toHaveLength(1);
    const stored = await inspector().blobNames('truck-950/');
    expect(stored).toHaveLength(1);
    expect(new Set(answers.map((a) => a.blob))).toEqual(new Set(stored));
    expect(await inspector().entities('truck-950')).toHaveLength(1);
  }, 60_000);

  test('a revoked key stops working on both instances within the cache TTL', async () => {
    const key = await addDevice(registry, 'truck-951', 'oil-condition-v1');
    // Both instances cache the device now.
    for (const port of ports)
      expect(
        (
          await post(
            `http://127.0.0.1:${port}`,
            'truck-951',
            key,
            oilPayload('truck-951', { sequence: port }),
          )
        ).status,
      ).toBe(200);

    await registry.removeKey('truck-951', key.split('~')[1]!);
    const revokedAt = Date.now();
    // Measure when each instance starts refusing (polling, not sleeping for a guessed time).
    const refusedAfter = await Promise.all(
      ports.map(async (port, i) => {
        for (let n = 0; ; n++) {
          const res = await post(
            `http://127.0.0.1:${port}`,
            'truck-951',
            key,
            oilPayload('truck-951', { sequence: 1000 * (i + 1) + n }),
          );
          if (res.status === 401) return Date.now() - revokedAt;
          expect(res.status).toBe(200);
          if (Date.now() - revokedAt > 3 * TTL_SECONDS * 1000) return Infinity;
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    // Each instance refused before the poll's deadline (3 TTLs). How soon within that is not asserted
    // on this machine's clock (two busy cores stretch any wall-clock gap): that a cached device is
    // re-read once its TTL has passed is proven with an injected clock in
    // test/unit/cachedDeviceRegistry.test.ts; this test proves both real instances get there.
    expect(refusedAfter.map((ms) => Number.isFinite(ms))).toEqual(ports.map(() => true));
  }, 60_000);
});
