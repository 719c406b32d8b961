import { createHash } from 'node:crypto';
import { deviceFolders } from '../../shared/storage/deviceFolders';
import { describeWithAzurite } from '../helpers/azurite';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

describeWithAzurite('POST /api/ingest/{deviceId} against Azurite', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });

  test('a new valid payload is stored byte for byte with its metadata and entry, then answers 200 stored', async () => {
    // Unusual but valid formatting must survive: the blob is the bytes received, not a re-serialisation.
    const body = `{ "deviceId":"truck-042",  "readings": {"timestamp":"2026-11-25T08:10:00Z","oilTemperatureC":86.40} }\n`;
    const res = await app.post('truck-042', body, { 'x-forwarded-for': '198.51.100.66, 203.0.113.7:50123' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'stored',
      container: app.runtime.config.rawContainer,
      sha256: sha256(body),
    });
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    expect(res.body.blob).toMatch(new RegExp(`^truck-042/${today}/\\d{9}Z_[0-9a-f]{16}\\.json$`));

    const blob = await app.inspector.blob(res.body.blob as string);
    expect(blob.bytes.equals(Buffer.from(body))).toBe(true);
    expect(blob.contentType).toBe('application/json');
    expect(Buffer.from(blob.contentMD5!).toString('hex')).toBe(createHash('md5').update(body).digest('hex'));
    expect(blob.metadata).toEqual({
      deviceid: 'truck-042',
      receivedat: res.body.receivedAt,
      sha256: sha256(body),
      idempotencykey: sha256(body),
      schemaid: 'oil-condition-v1',
      clientip: '203.0.113.7',
      sizebytes: String(Buffer.byteLength(body)),
      receivedencoding: 'identity',
      // One reading (a single object, not an array), and no sentAt: no clock offset.
      readings: '1',
      firstreadingat: '2026-11-25T08:10:00.000Z',
      lastreadingat: '2026-11-25T08:10:00.000Z',
    });

    const [entity, ...others] = await app.inspector.entities('truck-042');
    expect(others).toHaveLength(0);
    expect(entity).toMatchObject({
      partitionKey: 'truck-042',
      rowKey: sha256(body),
      blobName: res.body.blob,
      sha256: sha256(body),
      sizeBytes: Buffer.byteLength(body),
      receivedAt: res.body.receivedAt,
      state: 'pending',
      // The reading summary, in the same insert: what coverage reads instead of the blob.
      summaryVersion: 1,
      readings: 1,
      readingHours: '2026112508:1',
    });
    expect(entity).not.toHaveProperty('clockOffsetSeconds');
  });

  test('an exact resend answers 200 duplicate with the same blob and writes nothing new', async () => {
    const body = oilPayload('truck-100');
    const first = await app.post('truck-100', body);
    const second = await app.post('truck-100', body);
    const third = await app.post('truck-100', body);

    expect(first.status).toBe(200);
    expect(first.body.status).toBe('stored');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (const resend of [second, third]) {
      expect(resend.status).toBe(200);
      expect(resend.body).toEqual({ ...first.body, status: 'duplicate' });
      expect(resend.headers['idempotent-replayed']).toBe('true');
    }
    expect(await app.inspector.blobNames('truck-100/')).toEqual([first.body.blob]);
    // The first resend confirmed the blob, so later resends are answered from the entry alone.
    expect((await app.inspector.entities('truck-100'))[0]).toMatchObject({ state: 'stored' });
  });

  test('an entry an earlier version left `reserved` is read as pending: the resend checks the blob', async () => {
    const body = oilPayload('truck-106');
    const first = await app.post('truck-106', body);
    const [entity] = await app.inspector.entities('truck-106');
    // As the old write path left it, with its blob lost since (the case `pending` exists for).
    await app.runtime.clients.idempotencyTable.updateEntity(
      { partitionKey: 'truck-106', rowKey: entity!.rowKey as string, state: 'reserved' },
      'Merge',
    );
    await app.runtime.clients.rawContainer.deleteBlob(first.body.blob as string);

    const resend = await app.post('truck-106', body);
    expect(resend.body).toMatchObject({ status: 'stored', blob: first.body.blob });
    expect((await app.inspector.blob(first.body.blob as string)).bytes.toString()).toBe(body);
    expect((await app.inspector.entities('truck-106'))[0]).toMatchObject({ state: 'stored' });
  });

  test('Idempotency-Key: same key and body is a duplicate; same key, different body is 422 and writes nothing', async () => {
    const headers = { 'idempotency-key': 'file/2026-11-25#0001?' };
    const first = await app.post('truck-101', oilPayload('truck-101'), headers);
    const resend = await app.post('truck-101', oilPayload('truck-101'), headers);
    const reuse = await app.post('truck-101', oilPayload('truck-101', { firmware: '9.9.9' }), headers);

    expect(first.body.status).toBe('stored');
    expect(resend.body.status).toBe('duplicate');
    expect(reuse.status).toBe(422);
    expect(reuse.body.error).toBe('idempotency_key_reuse');
    expect(await app.inspector.blobNames('truck-101/')).toEqual([first.body.blob]);
    const entities = await app.inspector.entities('truck-101');
    expect(entities).toHaveLength(1);
    // RowKey-unsafe characters are escaped; the original key is kept beside it.
    expect(entities[0]).toMatchObject({
      rowKey: 'file~2f2026-11-25~230001~3f',
      idempotencyKey: headers['idempotency-key'],
    });
    const blob = await app.inspector.blob(first.body.blob as string);
    expect(decodeURIComponent(blob.metadata.idempotencykey!)).toBe(headers['idempotency-key']);
  });

  test('a smoke-test device (SMOKE_DEVICES, default smoke-*) stores under _smoke/, outside every device folder', async () => {
    const body = oilPayload('smoke-7');
    const res = await app.post('smoke-7', body);
    expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect(res.body.blob).toMatch(/^_smoke\/smoke-7\/\d{4}\/\d{2}\/\d{2}\/\d{9}Z_[0-9a-f]{16}\.json$/);
    expect((await app.inspector.blob(res.body.blob as string)).bytes.toString()).toBe(body);
    expect(await app.inspector.blobNames('smoke-7/')).toEqual([]);
    // The sweep confirms it like any file; the device folders a vendor reads do not include it.
    expect(await app.runtime.sweep()).toMatchObject({ stillPending: 0 });
    expect(await deviceFolders(app.runtime.clients.rawContainer)).not.toContain('_smoke');
  });

  test('the same body under two keys, or from two devices, is two files', async () => {
    const body = oilPayload('truck-102');
    const a = await app.post('truck-102', body, { 'idempotency-key': 'a' });
    const b = await app.post('truck-102', body, { 'idempotency-key': 'b' });
    // A model without a device id in the payload (default): the same bytes from two devices.
    const shared = '{"reading":42}';
    const p1 = await app.post('pump-102', shared);
    const p2 = await app.post('pump-103', shared);
    expect([a, b, p1, p2].map((r) => r.body.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    expect(await app.inspector.blobNames('truck-102/')).toHaveLength(2);
    expect(await app.inspector.blobNames('pump-102/')).toHaveLength(1);
    expect(await app.inspector.blobNames('pump-103/')).toHaveLength(1);
  });

  test('a payload that fails its schema gets 400 with Ajv paths and the schema id, and writes nothing', async () => {
    const body = JSON.stringify({
      deviceId: 'truck-104',
      readings: [
        { timestamp: 'yesterday', oilTemperatureC: 'hot' },
        { timestamp: '2026-11-25T08:10:00Z', densityKgM3: 5 },
      ],
    });
    const res = await app.post('truck-104', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('schema_validation');
    expect(res.body.schemaId).toBe('oil-condition-v1');
    const paths = (res.body.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/readings/0/timestamp',
        '/readings/0/oilTemperatureC',
        '/readings/1/densityKgM3',
      ]),
    );
    expect(await app.inspector.blobNames('truck-104/')).toEqual([]);
    expect(await app.inspector.entities('truck-104')).toEqual([]);
  });

  test('a file naming another device than the URL is refused and nothing is written', async () => {
    const res = await app.post('truck-107', oilPayload('truck-999'));
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'device_id_mismatch', details: [{ path: '/deviceId' }] },
    });
    expect(await app.inspector.blobNames('truck-107/')).toEqual([]);
    expect(await app.inspector.entities('truck-107')).toEqual([]);
  });

  test('devices without a specific model use the permissive default model', async () => {
    const res = await app.post('pump-7', '[{"any":"shape"}]');
    expect(res.status).toBe(200);
    expect(res.body.schemaId).toBe('default');
  });

  test('health answers 200 while storage is reachable', async () => {
    expect(await app.health()).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  test('one structured log line per request, without payload contents', async () => {
    app.logs.length = 0;
    await app.post('truck-105', oilPayload('truck-105', { firmware: 'SECRET-FIRMWARE-MARKER' }));
    await app.post('truck-105', '{"broken":');
    expect(app.logs).toHaveLength(2);
    const [ok, bad] = app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ok).toMatchObject({ event: 'ingest', device: 'truck-105', outcome: 'stored', status: 200 });
    expect(ok!.key).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof ok!.ms).toBe('number');
    expect(bad).toMatchObject({ device: 'truck-105', outcome: 'invalid_json', status: 400, bytes: 10 });
    expect(app.logs.join('\n')).not.toContain('SECRET-FIRMWARE-MARKER');
  });
});

describeWithAzurite('resends across days', () => {
  test('a retry on a later day finds the first blob instead of writing a second', async () => {
    let now = new Date('2026-11-25T23:59:59.900Z');
    const app = await createTestApp({}, undefined, () => now);
    const body = oilPayload('truck-200');
    const first = await app.post('truck-200', body);
    now = new Date('2026-11-27T06:00:00.000Z');
    const later = await app.post('truck-200', body);

    expect(first.body.blob).toMatch(/^truck-200\/2026\/11\/25\/235959900Z_/);
    expect(later.body).toMatchObject({
      status: 'duplicate',
      blob: first.body.blob,
      receivedAt: '2026-11-25T23:59:59.900Z',
    });
    expect(await app.inspector.blobNames('truck-200/')).toEqual([first.body.blob]);
  });
});

describeWithAzurite('concurrent identical requests', () => {
  test('20 at once: all 200, exactly one "stored", one blob, one entry', async () => {
    const app = await createTestApp();
    const body = oilPayload('truck-300');
    const responses = await Promise.all(Array.from({ length: 20 }, () => app.post('truck-300', body)));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => r.body.status === 'stored')).toHaveLength(1);
    expect(new Set(responses.map((r) => r.body.blob)).size).toBe(1);
    expect(await app.inspector.blobNames('truck-300/')).toEqual([responses[0]!.body.blob]);
    expect(await app.inspector.entities('truck-300')).toHaveLength(1);
    expect((await app.inspector.blob(responses[0]!.body.blob as string)).bytes.toString()).toBe(body);
  });
});
