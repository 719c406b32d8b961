import { describeWithAzurite } from '../helpers/azurite';
import { type BadInput, generatedBadInputs } from '../corpus/generatedBadInputs';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

const MAX = 2 * 1024 * 1024;
const json = { 'content-type': 'application/json' };
const reading = { timestamp: '2026-11-25T08:10:00Z', oilTemperatureC: 86.4 };
const oil = (overrides: Record<string, unknown>) => oilPayload('truck-042', overrides);

const handWritten: BadInput[] = [
  // Method and media type
  { name: 'GET', method: 'GET', status: 405, error: 'method_not_allowed' },
  { name: 'PUT', method: 'PUT', body: oil({}), status: 405, error: 'method_not_allowed' },
  { name: 'DELETE', method: 'DELETE', status: 405, error: 'method_not_allowed' },
  { name: 'PATCH', method: 'PATCH', body: oil({}), status: 405, error: 'method_not_allowed' },
  {
    name: 'text/plain',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'unsupported_media_type',
  },
  { name: 'no Content-Type', headers: { 'content-type': '' }, status: 415, error: 'unsupported_media_type' },
  {
    name: 'application/xml',
    headers: { 'content-type': 'application/xml' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'charset latin1',
    headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'multipart whose body is not a form',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    status: 400,
    error: 'invalid_multipart',
  },
  {
    name: 'application/jsonp',
    headers: { 'content-type': 'application/jsonp' },
    status: 415,
    error: 'unsupported_media_type',
  },
  // Size
  {
    name: 'declared oversize',
    headers: { 'content-length': String(MAX + 1) },
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'actual oversize',
    body: oil({ firmware: 'x'.repeat(MAX) }),
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'non-numeric Content-Length',
    headers: { 'content-length': '12abc' },
    status: 400,
    error: 'invalid_content_length',
  },
  // Device id
  { name: 'device id ..', deviceId: '..', status: 400, error: 'invalid_device_id' },
  { name: 'device id ../etc', deviceId: '../etc', status: 400, error: 'invalid_device_id' },
  { name: 'device id with slash', deviceId: 'truck/042', status: 400, error: 'invalid_device_id' },
  { name: 'device id with backslash', deviceId: 'truck\\042', status: 400, error: 'invalid_device_id' },
  { name: 'empty device id', deviceId: '', status: 400, error: 'invalid_device_id' },
  { name: 'device id starting with a dot', deviceId: '.truck', status: 400, error: 'invalid_device_id' },
  { name: 'device id with a space', deviceId: 'truck 042', status: 400, error: 'invalid_device_id' },
  {
    name: 'device id with a Cyrillic look-alike',
    deviceId: 'tru\u0441k-042',
    status: 400,
    error: 'invalid_device_id',
  },
  { name: 'device id of 65 characters', deviceId: 'a'.repeat(65), status: 400, error: 'invalid_device_id' },
  { name: 'device id containing ..', deviceId: 'a..b', status: 400, error: 'invalid_device_id' },
  { name: 'device id with a NUL', deviceId: 'truck\u0000', status: 400, error: 'invalid_device_id' },
  // Body encoding and syntax
  { name: 'empty body', body: '', status: 400, error: 'empty_body' },
  { name: 'whitespace only', body: '  \n', status: 400, error: 'invalid_json' },
  { name: 'truncated JSON', body: oil({}).slice(0, 40), status: 400, error: 'invalid_json' },
  { name: 'trailing comma', body: '{"deviceId":"truck-042",}', status: 400, error: 'invalid_json' },
  { name: 'two documents', body: '{}{}', status: 400, error: 'invalid_json' },
  {
    name: 'invalid UTF-8',
    body: Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
    error: 'invalid_utf8',
  },
  {
    name: 'byte-order mark',
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(oil({}))]),
    status: 400,
    error: 'invalid_json',
  },
  // Schema (oil-condition-v1 for truck-*)
  {
    name: 'missing readings',
    body: JSON.stringify({ deviceId: 'truck-042' }),
    status: 400,
    error: 'schema_validation',
    path: '/',
  },
  {
    name: 'empty readings array',
    body: oil({ readings: [] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings',
  },
  {
    name: 'reading without timestamp',
    body: oil({ readings: [{ oilTemperatureC: 80 }] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/0',
  },
  {
    name: 'reading without a measurement',
    body: oil({ readings: [{ timestamp: reading.timestamp }] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/0',
  },
  {
    name: 'temperature out of range',
    body: oil({ readings: [{ ...reading, oilTemperatureC: 999 }] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/0/oilTemperatureC',
  },
  {
    name: 'density as a string',
    body: oil({ readings: [{ ...reading, densityKgM3: '871' }] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/0/densityKgM3',
  },
  {
    name: 'bad timestamp',
    body: oil({ readings: { ...reading, timestamp: '25/11/2026' } }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/timestamp',
  },
  {
    name: 'bad sentAt',
    body: oil({ sentAt: 'now' }),
    status: 400,
    error: 'schema_validation',
    path: '/sentAt',
  },
  {
    name: 'deviceId as a number',
    body: oil({ deviceId: 42 }),
    status: 400,
    error: 'schema_validation',
    path: '/deviceId',
  },
  {
    name: 'unknown sensorStatus',
    body: oil({ readings: [{ ...reading, sensorStatus: 'melting' }] }),
    status: 400,
    error: 'schema_validation',
    path: '/readings/0/sensorStatus',
  },
  {
    name: 'top-level array for the oil model',
    body: JSON.stringify([reading]),
    status: 400,
    error: 'schema_validation',
    path: '/',
  },
  // Schema (default model)
  {
    name: 'scalar for the default model',
    deviceId: 'pump-1',
    body: '42',
    status: 400,
    error: 'schema_validation',
    path: '/',
  },
  {
    name: 'null for the default model',
    deviceId: 'pump-1',
    body: 'null',
    status: 400,
    error: 'schema_validation',
    path: '/',
  },
  {
    name: 'string for the default model',
    deviceId: 'pump-1',
    body: '"hello"',
    status: 400,
    error: 'schema_validation',
    path: '/',
  },
  // Idempotency-Key
  {
    name: 'empty Idempotency-Key',
    headers: { 'idempotency-key': '' },
    status: 400,
    error: 'invalid_idempotency_key',
  },
  {
    name: 'Idempotency-Key of 129 characters',
    headers: { 'idempotency-key': 'k'.repeat(129) },
    status: 400,
    error: 'invalid_idempotency_key',
  },
  {
    name: 'non-ASCII Idempotency-Key',
    headers: { 'idempotency-key': 'cl\u00e9' },
    status: 400,
    error: 'invalid_idempotency_key',
  },
  {
    name: 'Idempotency-Key with a tab',
    headers: { 'idempotency-key': 'a\tb' },
    status: 400,
    error: 'invalid_idempotency_key',
  },
];
const cases = [...handWritten, ...generatedBadInputs()];

describeWithAzurite('bad input: a clear 4xx and nothing written', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ MAX_BODY_BYTES: String(MAX) });
  });

  test(`the corpus has at least 200 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(cases.map((c) => c.name).filter((name, i, all) => all.indexOf(name) !== i)).toEqual([]);
  });

  test.each(cases)('$name -> $status $error', async (c) => {
    const before = await app.inspector.counts();
    const res = await app.send(c.method ?? 'POST', c.deviceId ?? 'truck-042', c.body ?? oil({}), {
      ...json,
      ...c.headers,
    });

    expect(res.status).toBe(c.status);
    expect(res.body).toMatchObject({
      error: c.error,
      message: expect.any(String),
      details: expect.any(Array),
    });
    if (c.status === 405) expect(res.headers.allow).toBe('POST');
    if (c.path) {
      expect(res.body.schemaId).toBeDefined();
      expect((res.body.details as Array<{ path: string }>).map((d) => d.path)).toContain(c.path);
    }
    expect(await app.inspector.counts()).toEqual(before);
  });

  test('after the whole corpus, storage is still empty', async () => {
    expect(await app.inspector.isEmpty()).toBe(true);
  });

  test('schema errors are capped at 20', async () => {
    const readings = Array.from({ length: 50 }, () => ({ timestamp: 'bad', oilTemperatureC: 'bad' }));
    const res = await app.post('truck-042', oil({ readings }));
    expect(res.status).toBe(400);
    expect(res.body.details).toHaveLength(20);
  });

  test('a rejected request still lets the valid file through afterwards', async () => {
    expect((await app.post('truck-042', oil({}))).status).toBe(200);
  });
});
