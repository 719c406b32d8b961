/**
 * `npm run sweep:cost`: what one sweep run costs, on a fresh in-memory Azurite. A fleet posts through
 * the real ingest path (50 devices, one file a minute each, for an hour: 3,000 files), then one sweep
 * settles them all; the storage round trips are counted on the wire (a proxy between the SDK and
 * Azurite) and the run is timed. Then a second run, with nothing to settle.
 *
 *   npm run sweep:cost [-- --devices 50 --minutes 60]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../../shared/config';
import type { IngestRequest } from '../../../shared/ingest';
import { createRuntime } from '../../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../../shared/storage/clients';
import { connectionStringFor, startAzurite } from '../../../scripts/lib/azurite';
import { ingestRequest } from '../../helpers/ingestRequest';
import { ChaosProxy, type ProxyLogEntry } from '../faults/faultProxy';

const START = Date.parse('2026-11-25T08:00:00Z');

function request(deviceId: string, minute: number): IngestRequest {
  const at = new Date(START + minute * 60_000).toISOString();
  const body = JSON.stringify({
    deviceId,
    sentAt: at,
    readings: [{ timestamp: at, oilTemperatureC: 80, densityKgM3: 870, viscosityCSt: 95 }],
  });
  return ingestRequest(deviceId, { body, forwardedFor: '203.0.113.9:5000' });
}

/** Round trips on the wire, by what they were: "table GET", "blob HEAD", ... */
function tally(wire: ProxyLogEntry[]): string {
  const counts = new Map<string, number>();
  for (const { via, method } of wire)
    counts.set(`${via} ${method}`, (counts.get(`${via} ${method}`) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { devices: { type: 'string', default: '50' }, minutes: { type: 'string', default: '60' } },
  });
  const devices = Number(values.devices);
  const minutes = Number(values.minutes);
  const azurite = await startAzurite({ inMemory: true });
  const wire: ProxyLogEntry[] = [];
  const blobProxy = new ChaosProxy({ host: '127.0.0.1', port: azurite.blobPort }, undefined, 'blob', wire);
  const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: azurite.tablePort }, undefined, 'table', wire);
  try {
    const settings = {
      DATA_STORAGE_CONNECTION_STRING: connectionStringFor(
        await blobProxy.listen(),
        await tableProxy.listen(),
      ),
      INGEST_AUTH: 'off',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    await ensureStorageResources(createStorageClients(loadConfig(settings)));
    const clock = { ms: START };
    const runtime = createRuntime(loadConfig(settings), {
      now: () => new Date(clock.ms),
      warn: () => undefined,
    });
    const ids = Array.from({ length: devices }, (_, d) => `truck-${String(d).padStart(3, '0')}`);
    for (let minute = 0; minute < minutes; minute++) {
      clock.ms = START + minute * 60_000;
      await Promise.all(ids.map((id) => runtime.ingest.ingest(request(id, minute))));
    }
    const files = devices * minutes;
    clock.ms = START + minutes * 60_000;
    for (const label of ['first run', 'second run (nothing to settle)']) {
      wire.length = 0;
      const began = performance.now();
      const result = await runtime.sweep();
      const seconds = (performance.now() - began) / 1000;
      console.log(
        `${label}: ${result.confirmed} confirmed of ${files} files in ${seconds.toFixed(2)} s; ` +
          `${wire.length} round trips (${(wire.length / Math.max(1, result.confirmed)).toFixed(2)} per file settled): ${tally(wire)}`,
      );
    }
    console.log(
      `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${new Date().toISOString().slice(0, 10)}; Azurite in memory.`,
    );
  } finally {
    await blobProxy.close();
    await tableProxy.close();
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
