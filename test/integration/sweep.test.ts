/**
 * The sweep on Azurite, with the real handler, the real adapters and a fault proxy between the SDK
 * and Azurite: a claim whose blob never landed becomes `orphaned` after the configured age and is
 * never counted as data; the gateway's later resend (a rewritten file under the same key) stores it
 * and coverage counts it once. Every table query the sweep and coverage send is a RowKey range, seen
 * on the wire. Then `telemetry-ops sweep --json`, and the timer function firing in the dev host.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { coverageOf, DEFAULT_CLOCK_FLOOR_MS, readCoverageInput } from '../../shared/coverage';
import { BlobRawStore } from '../../shared/storage/blobRawStore';
import { TableLedgerStore } from '../../shared/storage/tableLedgerStore';
import { freePort, stopChild } from '../../scripts/lib/azurite';
import { ChaosFault, ChaosProxy, type ProxyLogEntry } from '../support/faults/faultProxy';
import {
  azuriteConnectionString,
  azuritePorts,
  connectionStringVia,
  describeWithAzurite,
} from '../helpers/azurite';
import { storageOps } from '../helpers/storageOps';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T08:15:00Z');
const DAY = { from: new Date('2026-11-25T00:00:00Z'), to: new Date('2026-11-26T00:00:00Z') };

/** A file of three readings in hour 08, written (sentAt) at `sentAt`. */
const fileOf = (deviceId: string, sentAt: string) =>
  oilPayload(deviceId, {
    sentAt,
    readings: ['08:10', '08:11', '08:12'].map((t) => ({
      timestamp: `2026-11-25T${t}:00Z`,
      oilTemperatureC: 80,
    })),
  });

describeWithAzurite('the sweep on Azurite', () => {
  const wire: ProxyLogEntry[] = [];
  let blobProxy: ChaosProxy;
  let tableProxy: ChaosProxy;
  let app: TestApp;
  const now = { ms: T0 };

  beforeAll(async () => {
    const { blobPort, tablePort } = azuritePorts();
    blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort }, undefined, 'blob', wire);
    tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, undefined, 'table', wire);
    const via = connectionStringVia(await blobProxy.listen(), await tableProxy.listen());
    app = await createTestApp(
      { STORAGE_TIMEOUT_MS: '1500', SWEEP_ORPHAN_AFTER_MINUTES: '360' },
      via,
      () => new Date(now.ms),
    );
  });
  afterAll(async () => {
    await blobProxy.close();
    await tableProxy.close();
  });

  const coverage = async (deviceId: string) => {
    const { clients, config } = app.runtime;
    const sources = {
      ledger: new TableLedgerStore(clients.idempotencyTable, config.storageTimeoutMs),
      blobs: new BlobRawStore(clients.rawContainer, config.storageTimeoutMs),
      now: new Date(now.ms),
    };
    return coverageOf(await readCoverageInput(sources, deviceId, DAY), DAY, {
      toleranceSeconds: 300,
      floorMs: DEFAULT_CLOCK_FLOOR_MS,
    });
  };

  test('a failed blob write: pending, then orphaned and not counted; the rewritten resend is stored and counted once', async () => {
    const device = 'truck-s1';
    const key = { 'idempotency-key': 'buffer/000187.json' };
    blobProxy.add({ match: storageOps.blobPut, fault: ChaosFault.Status503 });
    expect((await app.post(device, fileOf(device, '2026-11-25T08:15:00Z'), key)).status).toBe(503);
    blobProxy.clear();

    now.ms = T0 + 5 * 60_000;
    expect(await app.runtime.sweep()).toMatchObject({ confirmed: 0, orphaned: 0, stillPending: 1 });
    expect(await coverage(device)).toMatchObject({ files: 0, readings: 0, pending: 1, orphaned: 0 });

    now.ms = T0 + 6 * HOUR + 60_000;
    expect(await app.runtime.sweep()).toMatchObject({ confirmed: 0, orphaned: 1, stillPending: 0 });
    expect((await app.inspector.entities(device))[0]).toMatchObject({ state: 'orphaned' });
    expect(await coverage(device)).toMatchObject({ files: 0, readings: 0, pending: 0, orphaned: 1 });

    // The gateway kept the file, rewrote it (fresh sentAt) and sends it under the same key.
    const resend = await app.post(device, fileOf(device, '2026-11-25T14:16:00Z'), key);
    expect(resend).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect(await coverage(device)).toMatchObject({ files: 1, readings: 3, pending: 0, orphaned: 0 });
    expect(await app.runtime.sweep()).toMatchObject({ confirmed: 1, orphaned: 0, stillPending: 0 });
    expect(await coverage(device)).toMatchObject({ files: 1, readings: 3, pending: 0, orphaned: 0 });
    expect(await app.inspector.blobNames(`${device}/`)).toEqual([resend.body.blob]);
  }, 60_000);

  test('every table query the sweep and coverage send is one partition and one RowKey range', async () => {
    const device = 'truck-s2';
    expect((await app.post(device, fileOf(device, '2026-11-25T08:15:00Z'))).status).toBe(200);
    wire.length = 0;
    await app.runtime.sweep();
    await coverage(device);
    const queries = wire.filter((e) => e.via === 'table' && e.method === 'GET' && e.path.includes('$filter'));
    expect(queries.length).toBeGreaterThan(0);
    for (const { path } of queries) {
      const filter = new URL(path, 'http://x').searchParams.get('$filter');
      expect(filter).toMatch(/^PartitionKey eq '[^']+' and RowKey ge '[^']*' and RowKey lt '[^']*'$/);
    }
  }, 60_000);
});

/** Everything the child prints until `pattern` appears (or the deadline passes: then it fails). */
function outputUntil(child: ChildProcess, pattern: RegExp, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${deadlineMs} ms:\n${output}`)),
      deadlineMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!pattern.test(output)) return;
      clearTimeout(timer);
      resolve(output);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the dev host exited (${code}):\n${output}`)));
  });
}

/** The environment of a process (CLI, bundle) working on the same storage as `app`. */
function envOf(app: TestApp): NodeJS.ProcessEnv {
  const { rawContainer, idempotencyTable, devicesTable } = app.runtime.config;
  return {
    ...process.env,
    DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString(),
    RAW_CONTAINER: rawContainer,
    IDEMPOTENCY_TABLE: idempotencyTable,
    DEVICES_TABLE: devicesTable,
  };
}

describeWithAzurite('telemetry-ops sweep and the timer', () => {
  test('`ops sweep --json` settles what is there and ends with the counts', async () => {
    const poster = await createTestApp();
    const env = envOf(poster);
    expect((await poster.post('truck-s3', fileOf('truck-s3', '2026-11-25T08:15:00Z'))).status).toBe(200);

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'ops', 'cli.ts'), 'sweep', '--json'],
      {
        cwd: root,
        env,
      },
    );

    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      confirmed: 1,
      orphaned: 0,
      stillPending: 0,
    });
    expect(stdout).toContain('truck-s3: 1 confirmed, 0 orphaned, 0 pending');
  }, 60_000);

  test("the dev host (npm start) runs the bundle's sweep timer on its schedule", async () => {
    const poster = await createTestApp();
    expect((await poster.post('truck-s4', fileOf('truck-s4', '2026-11-25T08:15:00Z'))).status).toBe(200);
    const port = await freePort();
    // Every second, so the test waits for one firing, not five minutes.
    const env = {
      ...envOf(poster),
      PORT: String(port),
      HTTPS_PORT: String(await freePort()),
      SWEEP_SCHEDULE: '* * * * * *',
    };
    const host = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'dev', 'start.ts')], {
      cwd: root,
      env,
    });
    try {
      const output = await outputUntil(host, /"event":"sweep"[^\n]*"confirmed":1/, 40_000);
      expect(output).toMatch(/sweep: timer '\* \* \* \* \* \*' \(UTC\)/);
      expect((await poster.inspector.entities('truck-s4'))[0]).toMatchObject({ state: 'stored' });
    } finally {
      await stopChild(host);
    }
  }, 60_000);
});
