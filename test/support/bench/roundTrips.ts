/**
 * Storage round trips per outcome, counted on the wire at a proxy in front of Azurite (not timed).
 * Each runtime is one instance: the first resend goes to the instance that stored the file and to
 * another one (no memory of it), and a later resend to a third.
 */
import { loadConfig } from '../../../shared/config';
import { createRuntime, type Runtime } from '../../../shared/runtime';
import { connectionStringFor } from '../../../scripts/lib/azurite';
import { ChaosProxy, type ProxyLogEntry } from '../faults/faultProxy';
import { ingestRequest } from './inProcessRequest';
import { oilDocument } from './payloads';
import { type SectionReport, say, table } from './report';
import { freshStorage } from './servers';

export async function roundTripsSection(): Promise<SectionReport> {
  const storage = await freshStorage();
  const wire: ProxyLogEntry[] = [];
  const { blobPort, tablePort } = storage.azurite;
  const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, undefined, 'table', wire);
  const blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort }, undefined, 'blob', wire);
  const rows: string[][] = [];
  try {
    const via = connectionStringFor(await blobProxy.listen(), await tableProxy.listen());
    const instance = () =>
      createRuntime(loadConfig({ DATA_STORAGE_CONNECTION_STRING: via, RATE_LIMIT_PER_MINUTE: '0' }));
    const device = 'truck-9';
    const send = (runtime: Runtime, body: string) =>
      runtime.ingest.ingest(ingestRequest(device, body, storage.keys.get(device)));
    const count = async (label: string, runtime: Runtime, body: string) => {
      wire.length = 0;
      const outcome = await send(runtime, body);
      const calls = wire.map((e) => `${e.method} ${e.via}`);
      const writes = wire.filter((e) => e.method !== 'GET' && e.method !== 'HEAD').length;
      rows.push([label, outcome.status, String(calls.length), String(writes), calls.join(', ') || '-']);
    };

    const a = instance();
    await count('new file, device not yet seen by this instance', a, oilDocument(device, 5, 998));
    const file = oilDocument(device, 5, 999);
    await count('new file', a, file);
    await count('resend to the instance that stored it', a, file);
    const b = instance();
    await send(b, oilDocument(device, 5, 1001)); // warms b's device cache
    await count('first resend to another instance', b, file);
    const c = instance();
    await send(c, oilDocument(device, 5, 1002));
    await count('later resend to another instance', c, file);
  } finally {
    await blobProxy.close();
    await tableProxy.close();
    await storage.azurite.stop();
  }
  say('Storage round trips per request (counted at a proxy in front of Azurite)');
  for (const [label, status, trips, writes, calls] of rows)
    say(
      `   ${label!.padEnd(48)} -> ${status!.padEnd(9)} ${trips} round trips (${writes} write${writes === '1' ? '' : 's'}): ${calls}`,
    );
  say();
  return {
    id: 'roundtrips',
    markdown: table(['request', 'answer', 'round trips', 'writes', 'calls'], rows),
  };
}
