import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvocationContext, type Timer } from '@azure/functions';
import { createTableExportHandler } from '../../functions/tableExport';
import { addDevice } from '../../shared/auth/deviceAdmin';
import { loadConfig } from '../../shared/config';
import { createRuntime, type Runtime } from '../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { exportTables } from '../../shared/tableExport/exportTables';
import type { ExportManifest } from '../../shared/tableExport/layout';
import { describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { oilPayload } from '../helpers/testApp';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * The nightly table export (the timer function's handler) and `npm run ops -- restore-tables`, on
 * Azurite: both tables round-trip, with their property types, into empty tables; non-empty tables and
 * damaged exports are refused; a second run in the same slot writes nothing.
 */
describeWithAzurite('table export and restore-tables', () => {
  const exportsContainer = `exports-${randomBytes(4).toString('hex')}`;
  const source = uniqueStorageEnv();
  source.env.TABLE_EXPORTS_CONTAINER = exportsContainer;
  const target = uniqueStorageEnv();
  target.env.TABLE_EXPORTS_CONTAINER = exportsContainer;
  const due = new Date('2026-11-27T01:30:00.000Z');
  let runtime: Runtime;

  const cli = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        join(root, 'node_modules', '.bin', 'tsx'),
        [join(root, 'scripts', 'ops', 'cli.ts'), 'restore-tables', ...args],
        { cwd: root, env },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };
  const clientsOf = (env: NodeJS.ProcessEnv) => createStorageClients(loadConfig(env));
  /** Every entity with its EDM types, without the service's etag and timestamp. */
  const contents = async (table: ReturnType<typeof clientsOf>['devicesTable']) => {
    const rows: Array<Record<string, unknown>> = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ disableTypeConversion: true })) {
      const { etag: _e, timestamp: _t, ...rest } = e;
      void _e;
      void _t;
      rows.push(rest);
    }
    return rows.sort((a, b) =>
      `${String(a.partitionKey)}|${String(a.rowKey)}`.localeCompare(
        `${String(b.partitionKey)}|${String(b.rowKey)}`,
      ),
    );
  };
  const runTimer = () =>
    createTableExportHandler(
      () => runtime,
      () => due,
    )(
      { isPastDue: false } as Timer,
      new InvocationContext({ functionName: 'tableExport', logHandler: () => undefined }),
    );

  beforeAll(async () => {
    runtime = createRuntime(loadConfig({ ...source.env, RATE_LIMIT_PER_MINUTE: '0' }), {
      warn: () => undefined,
    });
    await ensureStorageResources(runtime.clients);
    await ensureStorageResources(clientsOf(target.env));
    const registry = new TableDeviceRegistry(runtime.clients.devicesTable, 10_000);
    for (const id of ['truck-001', 'truck-002', 'truck-003']) {
      const key = await addDevice(registry, id, 'oil-condition-v1');
      await runtime.ingest.ingest({
        method: 'POST',
        deviceId: id,
        contentType: 'application/json',
        contentLength: null,
        contentEncoding: null,
        authorization: `Bearer ${key}`,
        deviceKey: null,
        idempotencyKey: `file-${id}`,
        forwardedFor: null,
        body: (async function* () {
          yield Buffer.from(oilPayload(id));
        })(),
      });
    }
    // Property types the tables' own writers do not use, so the round trip proves types survive.
    await runtime.clients.devicesTable.createEntity({
      partitionKey: 'types',
      rowKey: 'sample',
      big: { value: '9007199254740993', type: 'Int64' },
      at: new Date('2026-01-02T03:04:05.678Z'),
      ratio: 0.25,
      flag: true,
      bytes: new Uint8Array([0, 1, 2, 255]),
    });
    await runTimer();
  }, 60_000);

  const manifest = async (): Promise<ExportManifest> =>
    JSON.parse(
      (
        await runtime.clients.exportsContainer.getBlobClient('2026-11-27T01/manifest.json').downloadToBuffer()
      ).toString(),
    ) as ExportManifest;

  it('exports both tables as NDJSON parts, then a manifest naming them with counts and SHA-256', async () => {
    const m = await manifest();
    expect(m.slot).toBe('2026-11-27T01');
    const devices = (await contents(runtime.clients.devicesTable)).length;
    const entries = (await contents(runtime.clients.idempotencyTable)).length;
    // Three files: each its claim and, until the sweep settles it, its marker (DELIVERY.md#the-ledger).
    expect(entries).toBe(6);
    expect(m.tables.map((t) => [t.role, t.entities])).toEqual([
      ['devices', devices],
      ['idempotency', entries],
    ]);
    const part = m.tables[1]!.parts[0]!;
    expect(part.blob).toMatch(/^2026-11-27T01\/[0-9a-z]+-[0-9a-f]{8}\/idem[0-9a-f]+\/part-00000\.ndjson$/);
    const lines = (await runtime.clients.exportsContainer.getBlobClient(part.blob).downloadToBuffer())
      .toString()
      .trim()
      .split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0]!)).toMatchObject({ partitionKey: expect.stringMatching(/^truck-00/) });
  });

  it('writes nothing on a second run in the same slot', async () => {
    const before: string[] = [];
    for await (const b of runtime.clients.exportsContainer.listBlobsFlat()) before.push(b.name);
    await runTimer();
    const after: string[] = [];
    for await (const b of runtime.clients.exportsContainer.listBlobsFlat()) after.push(b.name);
    expect(after).toEqual(before);
  });

  it('bounds each part: a run with a small part size splits a table across parts', async () => {
    const result = await exportTables({
      container: runtime.clients.exportsContainer,
      tables: [{ role: 'idempotency', client: runtime.clients.idempotencyTable }],
      now: new Date('2026-11-28T01:30:00Z'),
      timeoutMs: 10_000,
      partSize: 2,
    });
    expect(result.status).toBe('exported');
    if (result.status !== 'exported') return;
    expect(result.manifest.tables[0]!.parts.map((p) => p.entities)).toEqual([2, 2, 2]);
  });

  it('refuses to restore into tables that are not empty, and writes nothing', async () => {
    const before = await contents(runtime.clients.devicesTable);
    const refused = await cli(source.env, '--export', '2026-11-27T01');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already hold entities; .*--allow-non-empty/);
    expect(await contents(runtime.clients.devicesTable)).toEqual(before);
  }, 60_000);

  it('dry run: reports what it would write and writes nothing', async () => {
    const dry = await cli(target.env, '--export', '2026-11-27T01', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout.trim().split('\n').pop()!) as {
      dryRun: boolean;
      tables: Array<{ entities: number; written: number }>;
    };
    expect(report.dryRun).toBe(true);
    expect(report.tables.every((t) => t.written === 0 && t.entities > 0)).toBe(true);
    expect(await contents(clientsOf(target.env).devicesTable)).toEqual([]);
  }, 60_000);

  it('round-trips both tables into empty tables, types included, from the newest complete export', async () => {
    const restored = await cli(target.env, '--json');
    expect(restored.code).toBe(0);
    const into = clientsOf(target.env);
    // The newest complete export is 2026-11-28T01 (idempotency only, from the part-size test).
    expect(JSON.parse(restored.stdout.trim().split('\n').pop()!)).toMatchObject({ slot: '2026-11-28T01' });
    expect(await contents(into.idempotencyTable)).toEqual(await contents(runtime.clients.idempotencyTable));

    const full = await cli(target.env, '--export', '2026-11-27T01', '--allow-non-empty', '--json');
    expect(full.code).toBe(0);
    const report = JSON.parse(full.stdout.trim().split('\n').pop()!) as {
      tables: Array<{ role: string; written: number; existing: number }>;
    };
    expect(report.tables.find((t) => t.role === 'idempotency')).toMatchObject({ written: 0, existing: 6 });
    expect(await contents(into.devicesTable)).toEqual(await contents(runtime.clients.devicesTable));
    expect(await contents(into.idempotencyTable)).toEqual(await contents(runtime.clients.idempotencyTable));
    const sample = (await contents(into.devicesTable)).find((e) => e.partitionKey === 'types');
    expect(sample).toMatchObject({
      big: { value: '9007199254740993', type: 'Int64' },
      at: { value: '2026-01-02T03:04:05.678Z', type: 'DateTime' },
    });
  }, 90_000);

  it('refuses an export whose part does not match its manifest', async () => {
    const m = await manifest();
    const part = m.tables[0]!.parts[0]!;
    await runtime.clients.exportsContainer
      .getBlockBlobClient(part.blob)
      .upload('{"partitionKey":"x","rowKey":"y"}\n', 34);
    const empty = uniqueStorageEnv();
    empty.env.TABLE_EXPORTS_CONTAINER = exportsContainer;
    const refused = await cli(empty.env, '--export', '2026-11-27T01');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`part ${part.blob} does not match its manifest`);
    expect(await contents(clientsOf(empty.env).devicesTable)).toEqual([]);
  }, 60_000);

  it('lists the complete exports', async () => {
    const listed = await cli(target.env, '--list', '--json');
    expect(JSON.parse(listed.stdout.trim().split('\n').pop()!)).toEqual({
      exports: ['2026-11-27T01', '2026-11-28T01'],
    });
  }, 60_000);
});
