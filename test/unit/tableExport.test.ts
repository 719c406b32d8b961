/**
 * The table export and restore (shared/tableExport/) over in-memory tables and container: the
 * layout of what is written, the refusals, and the round trip. The same on Azurite, through the
 * timer function and the CLI: test/integration/tableExport.test.ts.
 */
import { createHash } from 'node:crypto';
import { StorageUnavailableError } from '../../shared/errors';
import { exportTables } from '../../shared/tableExport/exportTables';
import type { ExportManifest, TableRole } from '../../shared/tableExport/layout';
import {
  completeExports,
  ExportUnusableError,
  readManifest,
  RestoreRefusedError,
  restoreTables,
} from '../../shared/tableExport/restoreTables';
import { MemoryContainerClient } from '../helpers/memoryContainerClient';
import { MemoryTableClient, ServiceError } from '../helpers/memoryTableClient';

const DUE = new Date('2026-11-27T01:30:00.000Z');
const SLOT = '2026-11-27T01';

function table(name: string, rows: number, partition = 'truck-001'): MemoryTableClient {
  const client = Object.assign(new MemoryTableClient(() => new Date('2026-11-27T00:00:00Z')), {
    tableName: name,
  });
  for (let i = 0; i < rows; i++) client.put({ partitionKey: partition, rowKey: `r${i}`, n: i });
  return client;
}

/** Rows without the service's etag and timestamp, for comparing tables. */
const contents = (t: MemoryTableClient) =>
  t.all().map((row) => {
    const rest: Record<string, unknown> = { ...row };
    delete rest.etag;
    delete rest.timestamp;
    return rest;
  });

async function exportOf(
  container: MemoryContainerClient,
  tables: Array<[TableRole, MemoryTableClient]>,
  partSize?: number,
) {
  return exportTables({
    container: container.asClient(),
    tables: tables.map(([role, client]) => ({ role, client: client.asClient() })),
    now: DUE,
    timeoutMs: 5_000,
    ...(partSize === undefined ? {} : { partSize }),
  });
}

async function exported(container: MemoryContainerClient, tables: Array<[TableRole, MemoryTableClient]>) {
  const result = await exportOf(container, tables);
  if (result.status !== 'exported') throw new Error(`expected an export, got ${result.status}`);
  return result.manifest;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('exportTables', () => {
  test('each table as NDJSON parts without etags, then a manifest naming them with counts, sizes and SHA-256', async () => {
    const container = new MemoryContainerClient();
    const manifest = await exported(container, [
      ['devices', table('devices', 2)],
      ['idempotency', table('idem', 1)],
    ]);

    expect(manifest).toMatchObject({ formatVersion: 1, slot: SLOT });
    expect(manifest.attempt).toMatch(/^[0-9a-z]+-[0-9a-f]{8}$/);
    expect(Date.parse(manifest.completedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));
    expect(manifest.tables.map((t) => [t.role, t.name, t.entities, t.parts.length])).toEqual([
      ['devices', 'devices', 2, 1],
      ['idempotency', 'idem', 1, 1],
    ]);
    const part = manifest.tables[0]!.parts[0]!;
    expect(part.blob).toBe(`${SLOT}/${manifest.attempt}/devices/part-00000.ndjson`);
    const body = container.text(part.blob);
    expect(body).toBe(
      '{"partitionKey":"truck-001","rowKey":"r0","n":0,"timestamp":"2026-11-27T00:00:00.000Z"}\n' +
        '{"partitionKey":"truck-001","rowKey":"r1","n":1,"timestamp":"2026-11-27T00:00:00.000Z"}\n',
    );
    expect(part).toMatchObject({ entities: 2, bytes: Buffer.byteLength(body), sha256: sha256(body) });
    expect(container.blobs.get(part.blob)!.contentType).toBe('application/x-ndjson');
    expect(container.blobs.get(`${SLOT}/manifest.json`)!.contentType).toBe('application/json');
    expect(JSON.parse(container.text(`${SLOT}/manifest.json`))).toEqual(manifest);
    // The manifest is the completion marker: written after every part.
    expect(container.uploads.at(-1)).toBe(`${SLOT}/manifest.json`);
  });

  test('parts hold at most partSize entities; no empty part, and an empty table has none', async () => {
    const container = new MemoryContainerClient();
    const result = await exportOf(
      container,
      [
        ['devices', table('five', 5)],
        ['idempotency', table('four', 4)],
      ],
      2,
    );
    expect(result.status).toBe('exported');
    const tables = result.status === 'exported' ? result.manifest.tables : [];
    expect(tables.map((t) => t.parts.map((p) => p.entities))).toEqual([
      [2, 2, 1],
      [2, 2],
    ]);
    expect(tables.map((t) => t.entities)).toEqual([5, 4]);
    expect(tables[0]!.parts.map((p) => p.blob.slice(-17))).toEqual([
      'part-00000.ndjson',
      'part-00001.ndjson',
      'part-00002.ndjson',
    ]);

    const empty = await exported(new MemoryContainerClient(), [['devices', table('none', 0)]]);
    expect(empty.tables).toEqual([{ role: 'devices', name: 'none', entities: 0, parts: [] }]);
  });

  test('a slot that has its manifest is left alone: nothing is written', async () => {
    const container = new MemoryContainerClient();
    container.put(`${SLOT}/manifest.json`, '{}');
    expect(await exportOf(container, [['devices', table('devices', 1)]])).toEqual({
      status: 'exists',
      slot: SLOT,
    });
    expect(container.uploads).toEqual([]);
  });

  test('two runs racing in one slot end with exactly one manifest: the loser answers `exists`', async () => {
    const container = new MemoryContainerClient();
    const results = await Promise.all([
      exportOf(container, [['devices', table('devices', 1)]]),
      exportOf(container, [['devices', table('devices', 1)]]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['exists', 'exported']);
    const winner = results.find((r) => r.status === 'exported')!;
    expect(JSON.parse(container.text(`${SLOT}/manifest.json`))).toEqual(
      winner.status === 'exported' ? winner.manifest : undefined,
    );
  });

  test('every storage call carries a deadline; a storage fault is StorageUnavailableError, not an answer', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [['devices', table('devices', 1)]]);
    expect(container.signals.length).toBe(container.uploads.length + 1);
    expect(container.signals.every((s) => s instanceof AbortSignal)).toBe(true);

    const failing = new MemoryContainerClient();
    failing.fault = () => new ServiceError(500, 'InternalError');
    await expect(exportOf(failing, [['devices', table('devices', 1)]])).rejects.toThrow(
      StorageUnavailableError,
    );
  });

  test('a manifest another run created first (412 as well as 409) makes this run `exists`', async () => {
    const container = new MemoryContainerClient();
    container.fault = (name) =>
      name.endsWith('manifest.json') ? new ServiceError(412, 'ConditionNotMet') : undefined;
    expect(await exportOf(container, [['devices', table('devices', 1)]])).toEqual({
      status: 'exists',
      slot: SLOT,
    });
  });
});

describe('restore', () => {
  test('completeExports: the slots with a manifest, oldest first; other names and incomplete slots are not exports', async () => {
    const container = new MemoryContainerClient();
    container.put('2026-11-27T01/manifest.json', '{}');
    container.put('2026-11-25T01/manifest.json', '{}');
    container.put('2026-11-26T01/a1/devices/part-00000.ndjson', '');
    container.put('notes/manifest.json', '{}');
    container.put('x2026-11-24T01/manifest.json', '{}');
    container.put('2026-11-24T01x/manifest.json', '{}');
    container.put('readme.txt', '');
    expect(await completeExports(container.asClient())).toEqual(['2026-11-25T01', '2026-11-27T01']);
  });

  test('readManifest: a name that is not a slot, a missing manifest, and a storage fault', async () => {
    const container = new MemoryContainerClient();
    await expect(readManifest(container.asClient(), '../etc')).rejects.toThrow(
      new ExportUnusableError('"../etc" is not an export name (e.g. 2026-11-27T01)'),
    );
    await expect(readManifest(container.asClient(), SLOT)).rejects.toThrow(
      new ExportUnusableError(`export ${SLOT} has no manifest: it is missing or did not complete`),
    );
    container.put(`${SLOT}/manifest.json`, '{"slot":"2026-11-27T01"}');
    expect(await readManifest(container.asClient(), SLOT)).toEqual({ slot: SLOT });
    container.fault = () => new ServiceError(503, 'ServerBusy');
    await expect(readManifest(container.asClient(), SLOT)).rejects.toMatchObject({ statusCode: 503 });
  });

  test('round trip into empty tables, from the newest complete export by default', async () => {
    const container = new MemoryContainerClient();
    const devices = table('devices', 3);
    const idempotency = table('idem', 2, 'truck-002');
    await exported(container, [
      ['devices', devices],
      ['idempotency', idempotency],
    ]);
    const older = '2026-11-20T01';
    container.put(`${older}/manifest.json`, JSON.stringify({ slot: older, tables: [] }));
    const into = { devices: table('devices2', 0), idempotency: table('idem2', 0) };

    const report = await restoreTables({
      container: container.asClient(),
      tables: { devices: into.devices.asClient(), idempotency: into.idempotency.asClient() },
    });

    expect(report).toEqual({
      slot: SLOT,
      dryRun: false,
      tables: [
        { role: 'devices', name: 'devices2', entities: 3, written: 3, existing: 0 },
        { role: 'idempotency', name: 'idem2', entities: 2, written: 2, existing: 0 },
      ],
    });
    expect(contents(into.devices)).toEqual(contents(devices));
    expect(contents(into.idempotency)).toEqual(contents(idempotency));
  });

  test('the service keeps its own Timestamp: the restore does not send the exported one', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [['devices', table('devices', 1)]]);
    const into = table('devices2', 0);
    const sent: Array<Record<string, unknown>> = [];
    const createEntity = into.createEntity.bind(into);
    into.createEntity = async (entity) => {
      sent.push(entity);
      return createEntity(entity);
    };
    await restoreTables({ container: container.asClient(), tables: { devices: into.asClient() } });
    expect(sent).toEqual([{ partitionKey: 'truck-001', rowKey: 'r0', n: 0 }]);
  });

  test('only the roles given are restored', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [
      ['devices', table('devices', 1)],
      ['idempotency', table('idem', 2)],
    ]);
    const into = table('idem2', 0);
    const report = await restoreTables({
      container: container.asClient(),
      tables: { idempotency: into.asClient() },
      slot: SLOT,
    });
    expect(report.tables.map((t) => [t.role, t.written])).toEqual([['idempotency', 2]]);
  });

  test('the refusals are named errors a caller can tell apart', () => {
    expect(new RestoreRefusedError('x').name).toBe('RestoreRefusedError');
    expect(new ExportUnusableError('x').name).toBe('ExportUnusableError');
  });

  test('no complete export: a clear refusal', async () => {
    await expect(
      restoreTables({ container: new MemoryContainerClient().asClient(), tables: {} }),
    ).rejects.toThrow(new ExportUnusableError('there is no complete export to restore from'));
  });

  test('tables that hold entities are refused, naming them, and nothing is written', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [
      ['devices', table('devices', 2)],
      ['idempotency', table('idem', 2)],
    ]);
    const devices = table('devices2', 0);
    const idempotency = table('idem2', 1, 'other');

    await expect(
      restoreTables({
        container: container.asClient(),
        tables: { devices: devices.asClient(), idempotency: idempotency.asClient() },
      }),
    ).rejects.toThrow(
      new RestoreRefusedError(
        'target table(s) idem2 already hold entities; restore into empty tables, or pass --allow-non-empty (existing entities are kept, never replaced)',
      ),
    );
    expect(contents(devices)).toEqual([]);
    expect(contents(idempotency)).toEqual([{ partitionKey: 'other', rowKey: 'r0', n: 0 }]);
  });

  test('--allow-non-empty: entities already there are kept, never replaced; the rest are written', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [['devices', table('devices', 3)]]);
    const into = table('devices2', 0);
    into.put({ partitionKey: 'truck-001', rowKey: 'r1', n: 'kept' });

    const report = await restoreTables({
      container: container.asClient(),
      tables: { devices: into.asClient() },
      allowNonEmpty: true,
    });

    expect(report.tables).toEqual([
      { role: 'devices', name: 'devices2', entities: 3, written: 2, existing: 1 },
    ]);
    expect(contents(into).map((r) => r.n)).toEqual([0, 'kept', 2]);
  });

  test('dry run: counts what the export holds and writes nothing', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [['devices', table('devices', 3)]]);
    const into = table('devices2', 0);
    const report = await restoreTables({
      container: container.asClient(),
      tables: { devices: into.asClient() },
      dryRun: true,
    });
    expect(report).toEqual({
      slot: SLOT,
      dryRun: true,
      tables: [{ role: 'devices', name: 'devices2', entities: 3, written: 0, existing: 0 }],
    });
    expect(contents(into)).toEqual([]);
  });

  test('a part that does not match its SHA-256 refuses the whole restore before anything is written', async () => {
    const container = new MemoryContainerClient();
    const manifest: ExportManifest = await exported(container, [
      ['devices', table('devices', 1)],
      ['idempotency', table('idem', 1)],
    ]);
    const damaged = manifest.tables[1]!.parts[0]!;
    container.put(damaged.blob, `${container.text(damaged.blob)} `);
    const devices = table('devices2', 0);

    await expect(
      restoreTables({
        container: container.asClient(),
        tables: { devices: devices.asClient(), idempotency: table('idem2', 0).asClient() },
      }),
    ).rejects.toThrow(
      new ExportUnusableError(
        `part ${damaged.blob} does not match its manifest (SHA-256 ${sha256(`${container.text(damaged.blob)}`)}, expected ${damaged.sha256})`,
      ),
    );
    expect(contents(devices)).toEqual([]);
  });

  test('a write the table refuses for another reason than "exists" is not counted as existing', async () => {
    const container = new MemoryContainerClient();
    await exported(container, [['devices', table('devices', 1)]]);
    const into = table('devices2', 0);
    into.createEntity = () => Promise.reject(new ServiceError(500, 'InternalError'));
    await expect(
      restoreTables({ container: container.asClient(), tables: { devices: into.asClient() } }),
    ).rejects.toMatchObject({ statusCode: 500 });
  });
});
