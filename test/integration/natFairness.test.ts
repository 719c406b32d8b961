import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as waitUntil } from 'node:timers/promises';
import { Agent, request } from 'node:http';
import { freePort } from '../../scripts/lib/azurite';
import { addDevice, addKey } from '../../shared/auth/deviceAdmin';
import { loadConfig } from '../../shared/config';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { ChaosProxy, type ProxyLogEntry } from '../support/faults/faultProxy';
import { HostProcess } from '../support/simulator/processes';
import {
  azuriteConnectionString,
  azuritePorts,
  connectionStringVia,
  describeWithAzurite,
  uniqueStorageEnv,
} from '../helpers/azurite';
import { TestClock } from '../helpers/clock';
import { StorageInspector } from '../helpers/storageInspector';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

/**
 * Many trucks share one public address (a mine site's NAT): nothing one of them sends may lock the
 * others out, and forged keys must still cost a bounded number of device-table reads. The reads
 * are counted on the wire, by a proxy between the storage SDK and Azurite.
 */
interface TableReads {
  /** Device-table queries naming this device id. */
  of(deviceId: string): number;
  /** Device-table queries in all, listings included. */
  all(): number;
  /** Listings of every device id (the directory). */
  listings(): number;
}

/** The device-table queries in a proxy's log. */
function tableReads(log: ProxyLogEntry[], devicesTable: string): TableReads {
  const queries = () =>
    log
      .filter((e) => e.method === 'GET' && e.path.startsWith(`/devstoreaccount1/${devicesTable}()`))
      .map((e) => decodeURIComponent(e.path));
  return {
    of: (deviceId) => queries().filter((q) => q.includes(`PartitionKey eq '${deviceId}'`)).length,
    all: () => queries().length,
    listings: () => queries().filter((q) => q.includes("RowKey eq 'device'")).length,
  };
}

/** A test app whose device-table traffic goes through a proxy that logs it. */
async function appWithCountedReads(
  settings: Record<string, string>,
  now?: () => Date,
): Promise<{ app: TestApp; reads: TableReads; close(): Promise<void> }> {
  const log: ProxyLogEntry[] = [];
  const { blobPort, tablePort } = azuritePorts();
  const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, undefined, 'table', log);
  const app = await createTestApp(settings, connectionStringVia(blobPort, await tableProxy.listen()), now);
  return { app, reads: tableReads(log, app.runtime.config.devicesTable), close: () => tableProxy.close() };
}

const forgedKey = (deviceId: string) => `${deviceId}~00000000~${'A'.repeat(43)}`;

describeWithAzurite('50 trucks behind one address, through the dev host', () => {
  const SECONDS = 30;
  const TTL_SECONDS = 10;

  test('one gateway with a revoked key retries as fast as it can: every valid request of the other 49 is 200, none 429, its reads bounded', async () => {
    const log: ProxyLogEntry[] = [];
    const { blobPort, tablePort } = azuritePorts();
    const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, undefined, 'table', log);
    const { names, env } = uniqueStorageEnv();
    const direct = createStorageClients(loadConfig(env));
    await ensureStorageResources(direct);
    const registry = new TableDeviceRegistry(direct.devicesTable, 10_000);
    const ids = Array.from({ length: 50 }, (_, i) => `truck-nat${String(i).padStart(2, '0')}`);
    const keys = await Promise.all(ids.map((id) => addDevice(registry, id, 'oil-condition-v1')));
    // The revoked gateway: its key was removed when the device got a new one it never installed.
    const [revokedId, ...honestIds] = ids as [string, ...string[]];
    const revokedKey = keys[0]!;
    await addKey(registry, revokedId);
    await registry.removeKey(revokedId, revokedKey.split('~')[1]!);

    // The dev host in its own process (what npm start runs), its table traffic through the proxy.
    const port = await freePort();
    const host = new HostProcess({
      root: join(__dirname, '..', '..'),
      port,
      logFile: join(mkdtempSync(join(tmpdir(), 'nat-')), 'host.log'),
      env: {
        ...(env as Record<string, string>),
        DATA_STORAGE_CONNECTION_STRING: connectionStringVia(blobPort, await tableProxy.listen()),
        AUTH_FAILURES_PER_MINUTE: '30',
        AUTH_FAILURE_BURST: '5',
        DEVICE_CACHE_TTL_SECONDS: String(TTL_SECONDS),
        // Generous: the machine is shared, and a slow answer is still an answer.
        STORAGE_TIMEOUT_MS: '60000',
        DEV_CERT_DIR: join(tmpdir(), 'nat-no-certs'),
      },
    });
    await host.start();
    const reads = tableReads(log, names.devicesTable);
    const readsBefore = reads.all();
    // Keep-alive connections, as a gateway's HTTP client keeps them; no client-side timeouts.
    const agent = new Agent({ keepAlive: true });
    try {
      // The dev host sees every truck at 127.0.0.1 and appends that to X-Forwarded-For, as Azure's
      // front end appends the NAT's address; what the trucks write there themselves is ignored.
      const post = (deviceId: string, key: string, sequence: number) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            `http://127.0.0.1:${port}/api/ingest/${deviceId}`,
            {
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${key}`,
                'x-forwarded-for': `10.20.0.${sequence % 250}`,
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end(oilPayload(deviceId, { sequence }));
        });

      const started = Date.now();
      const end = started + SECONDS * 1000;
      const forgedStatuses: number[] = [];
      // Four connections, each sending the next request the moment an answer comes.
      const hammer = Promise.all(
        [0, 1, 2, 3].map(async (lane) => {
          for (let n = lane; Date.now() < end; n += 4)
            forgedStatuses.push(await post(revokedId, revokedKey, n));
        }),
      );
      const honest: Array<Promise<number>> = [];
      for (let second = 0; second < SECONDS; second++) {
        // Load pacing, not waiting for a condition: each truck posts once a second.
        await waitUntil(Math.max(0, started + second * 1000 - Date.now()));
        honestIds.forEach((id, i) => honest.push(post(id, keys[i + 1]!, second)));
      }
      await hammer;
      const statuses = await Promise.all(honest);

      const count = (list: number[], status: number) => list.filter((s) => s === status).length;
      expect({
        honest: statuses.length,
        honest200: count(statuses, 200),
        honest429: count(statuses, 429),
        forgedOther: forgedStatuses.length - count(forgedStatuses, 401),
      }).toEqual({ honest: 49 * SECONDS, honest200: 49 * SECONDS, honest429: 0, forgedOther: 0 });
      // It really did hammer: well past the old per-address budget (30 at once and 30 a minute), which
      // locked every truck behind the address out after 45 failures in 30 s.
      expect(forgedStatuses.length).toBeGreaterThan(100);
      // Its reads: per cache period (TTL) one on expiry, one refresh at once, one per 5 s after.
      const periods = SECONDS / TTL_SECONDS + 1;
      const revokedBound = periods * (2 + TTL_SECONDS / 5);
      expect(reads.of(revokedId)).toBeLessThanOrEqual(revokedBound);
      // Everything, listings included: each device once per period, plus the revoked one's refreshes.
      expect(reads.all() - readsBefore).toBeLessThanOrEqual(50 * periods + revokedBound + periods);
      const inspector = new StorageInspector(
        azuriteConnectionString(),
        names.rawContainer,
        names.idempotencyTable,
      );
      expect(await inspector.blobNames(`${revokedId}/`)).toEqual([]);
      expect((await inspector.blobNames('truck-nat')).length).toBe(49 * SECONDS);
    } finally {
      agent.destroy();
      await host.stop();
      await tableProxy.close();
    }
  }, 150_000);
});

describeWithAzurite('forged keys with ever new device ids', () => {
  test('10,000 of them cost the burst of reads and one listing; a never-seen valid truck at the same address gets in meanwhile', async () => {
    // The clock stands still: no budget refills, so the bound is exact.
    const clock = new TestClock();
    const { app, reads, close } = await appWithCountedReads(
      { AUTH_FAILURES_PER_MINUTE: '30', AUTH_FAILURE_BURST: '5' },
      clock.now,
    );
    try {
      const validKey = await app.keyFor('truck-fresh');
      const nat = { 'x-forwarded-for': '203.0.113.50:51000' };
      const readsBefore = reads.all();
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async () => {
        while (next < 10_000) {
          const id = `ghost-${next++}`;
          const { status } = await app.post(id, '{}', { ...nat, authorization: `Bearer ${forgedKey(id)}` });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (id === 'ghost-5000') {
            const res = await app.post('truck-fresh', oilPayload('truck-fresh'), {
              ...nat,
              authorization: `Bearer ${validKey}`,
            });
            expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
          }
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      expect(Object.fromEntries(statuses)).toEqual({ 401: 10_000 });
      // Five per-id reads (the burst), one listing, and the valid truck's own read.
      expect(reads.listings()).toBe(1);
      expect(reads.all() - readsBefore).toBe(5 + 1 + 1);
    } finally {
      await close();
    }
  }, 120_000);
});
