import { gzipSync } from 'node:zlib';
import { newDeviceKey } from '../../shared/auth/deviceKey';
import { describeWithAzurite } from '../helpers/azurite';
import { TestClock } from '../helpers/clock';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const TTL_MS = 60_000;

describeWithAzurite('device authentication', () => {
  let app: TestApp;
  // The device cache, key expiry and receive times all read this clock: the TTL passes without sleeping.
  const clock = new TestClock(new Date());
  const pastTtl = () => clock.advance(TTL_MS + 1);
  beforeAll(async () => {
    app = await createTestApp({ DEVICE_CACHE_TTL_SECONDS: String(TTL_MS / 1000) }, undefined, clock.now);
  });

  test('no key: 401 with a Bearer challenge, nothing written', async () => {
    const res = await app.post('truck-500', oilPayload('truck-500'), { authorization: null });
    expect(res).toMatchObject({ status: 401, body: { error: 'missing_credentials' } });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="telemetry-ingest", Basic realm="telemetry-ingest", charset="UTF-8"',
    );
    expect(await app.inspector.isEmpty()).toBe(true);
  });

  test.each([
    ['a malformed key', 'Bearer not-a-key'],
    ['a key with a wrong secret', `Bearer truck-501~00000000~${'A'.repeat(43)}`],
    ['Basic auth', 'Basic dXNlcjpwYXNz'],
    ['an empty Bearer', 'Bearer '],
  ])('%s: 401 invalid_credentials', async (_name, authorization) => {
    await app.keyFor('truck-501');
    const res = await app.post('truck-501', oilPayload('truck-501'), { authorization });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(await app.inspector.isEmpty()).toBe(true);
  });

  test("a valid key for the wrong secret's device id is 401, not 403", async () => {
    const real = await app.keyFor('truck-502');
    const forged = real.replace(/~[^~]+$/, `~${'B'.repeat(43)}`);
    expect((await app.post('truck-502', oilPayload('truck-502'), bearer(forged))).status).toBe(401);
  });

  test("another device's valid key: 403 forbidden, nothing written", async () => {
    const otherKey = await app.keyFor('truck-503');
    const res = await app.post('truck-504', oilPayload('truck-504'), bearer(otherKey));
    expect(res).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(await app.inspector.isEmpty()).toBe(true);
  });

  test('its own key: 200, by Authorization (any case), Basic or x-device-key, stored byte-identical', async () => {
    const key = await app.keyFor('truck-505');
    expect((await app.post('truck-505', oilPayload('truck-505'), bearer(key))).body.status).toBe('stored');
    const lower = await app.post('truck-505', oilPayload('truck-505', { sequence: 2 }), {
      authorization: `bearer ${key}`,
    });
    expect(lower.status).toBe(200);
    const viaHeader = await app.post('truck-505', oilPayload('truck-505', { sequence: 3 }), {
      authorization: null,
      'x-device-key': key,
    });
    expect(viaHeader.status).toBe(200);
    const body = oilPayload('truck-505', { sequence: 4 });
    const viaBasic = await app.post('truck-505', body, {
      authorization: `Basic ${Buffer.from(`truck-505:${key}`).toString('base64')}`,
    });
    expect(viaBasic).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect((await app.inspector.blob(viaBasic.body.blob as string)).bytes.toString()).toBe(body);
  });

  test("Basic with another user name than the URL's device id: 401 saying so, nothing written", async () => {
    const key = await app.keyFor('truck-513');
    const before = await app.inspector.counts();
    const res = await app.post('truck-513', oilPayload('truck-513'), {
      authorization: `Basic ${Buffer.from(`gateway-7:${key}`).toString('base64')}`,
    });
    expect(res).toMatchObject({
      status: 401,
      body: { error: 'invalid_credentials', message: expect.stringContaining('"truck-513"') },
    });
    expect(await app.inspector.counts()).toEqual(before);
  });

  test.each(['key', 'code', 'access_token', 'note'])(
    'a key in the query string (?%s=) is refused with 401 key_in_query, even beside a valid header',
    async (name) => {
      const device = `truck-514-${name}`;
      const key = await app.keyFor(device);
      const before = await app.inspector.counts();
      const res = await app.post(device, oilPayload(device), bearer(key), {
        query: `${name}=${encodeURIComponent(key)}`,
      });
      expect(res).toMatchObject({
        status: 401,
        body: { error: 'key_in_query', message: expect.stringContaining('access logs') },
      });
      expect(JSON.stringify(res.body)).not.toContain(key.split('~')[2]);
      expect(await app.inspector.counts()).toEqual(before);
      // Harmless query parameters are ignored.
      expect((await app.post(device, oilPayload(device), bearer(key), { query: 'v=2' })).status).toBe(200);
    },
  );

  test('a disabled device is refused (403) within the cache TTL, and admitted again after enable', async () => {
    const key = await app.keyFor('truck-506');
    expect((await app.post('truck-506', oilPayload('truck-506'), bearer(key))).status).toBe(200);
    await app.registry.setDisabled('truck-506', true);
    pastTtl();
    const refused = await app.post('truck-506', oilPayload('truck-506', { sequence: 2 }), bearer(key));
    expect(refused).toMatchObject({ status: 403, body: { error: 'device_disabled' } });
    await app.registry.setDisabled('truck-506', false);
    pastTtl();
    expect((await app.post('truck-506', oilPayload('truck-506', { sequence: 3 }), bearer(key))).status).toBe(
      200,
    );
  });

  test('a revoked key keeps working only until the cache TTL ends', async () => {
    const key = await app.keyFor('truck-507');
    expect((await app.post('truck-507', oilPayload('truck-507'), bearer(key))).status).toBe(200);
    await app.registry.removeKey('truck-507', key.split('~')[1]!);
    // Still cached: the bound is the TTL, not zero.
    expect((await app.post('truck-507', oilPayload('truck-507', { sequence: 2 }), bearer(key))).status).toBe(
      200,
    );
    clock.advance(TTL_MS - 1_000);
    expect((await app.post('truck-507', oilPayload('truck-507', { sequence: 3 }), bearer(key))).status).toBe(
      200,
    );
    clock.advance(1_001);
    expect((await app.post('truck-507', oilPayload('truck-507', { sequence: 4 }), bearer(key))).status).toBe(
      401,
    );
  });

  test('rotation: the old key works until its grace period ends, the new one from the start', async () => {
    const oldKey = await app.keyFor('truck-508');
    const newKey = newDeviceKey('truck-508');
    const now = clock.now().getTime();
    await app.registry.addKey('truck-508', {
      keyId: newKey.keyId,
      hash: newKey.hash,
      createdAt: new Date(now).toISOString(),
    });
    await app.registry.expireKey(
      'truck-508',
      oldKey.split('~')[1]!,
      new Date(now + 2 * TTL_MS).toISOString(),
    );
    pastTtl(); // so both requests see the rotation
    expect((await app.post('truck-508', oilPayload('truck-508'), bearer(oldKey))).status).toBe(200);
    expect(
      (await app.post('truck-508', oilPayload('truck-508', { sequence: 2 }), bearer(newKey.token))).status,
    ).toBe(200);
    clock.advance(TTL_MS);
    expect(
      (await app.post('truck-508', oilPayload('truck-508', { sequence: 3 }), bearer(oldKey))).status,
    ).toBe(401);
    expect(
      (await app.post('truck-508', oilPayload('truck-508', { sequence: 4 }), bearer(newKey.token))).status,
    ).toBe(200);
  });

  test('a key created or rotated a moment ago works at once, without waiting for the cache TTL', async () => {
    const first = await app.keyFor('truck-511');
    expect((await app.post('truck-511', oilPayload('truck-511'), bearer(first))).status).toBe(200);
    // The record is cached now; the CLI adds a key behind the cache's back.
    const fresh = await app.keyFor('truck-511');
    const res = await app.post('truck-511', oilPayload('truck-511', { sequence: 2 }), bearer(fresh));
    expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
  });

  test("the registry's model wins over the device map", async () => {
    const key = await app.keyFor('pump-9', { model: 'oil-condition-v1' });
    const res = await app.post('pump-9', '{"any":"shape"}', bearer(key));
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'schema_validation', schemaId: 'oil-condition-v1' },
    });
  });

  test('last use is recorded, at most once per interval', async () => {
    const key = await app.keyFor('truck-509');
    await app.post('truck-509', oilPayload('truck-509'), bearer(key));
    const first = (await app.registry.get('truck-509'))!.keys[0]!.lastUsedAt;
    expect(first).toBeDefined();
    await app.post('truck-509', oilPayload('truck-509', { sequence: 2 }), bearer(key));
    expect((await app.registry.get('truck-509'))!.keys[0]!.lastUsedAt).toBe(first);
  });

  test('keys never appear in logs or error bodies', async () => {
    app.logs.length = 0;
    const key = await app.keyFor('truck-510');
    const other = await app.keyFor('truck-512');
    const responses = [
      await app.post('truck-510', oilPayload('truck-510'), bearer(key)),
      await app.post('truck-510', oilPayload('truck-510'), bearer(other)),
      await app.post('truck-510', '{"broken', bearer(key)),
      await app.post('truck-510', oilPayload('truck-510'), { authorization: `Bearer ${key}x` }),
    ];
    const everything = JSON.stringify(responses) + app.logs.join('\n');
    for (const secret of [key, other].map((k) => k.split('~')[2]!)) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/Bearer truck/);
    expect(app.logs).toHaveLength(4);
  });
});

describeWithAzurite('request hardening', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ MAX_BODY_BYTES: '65536', MAX_JSON_DEPTH: '16' });
  });

  test('gzip bodies are stored decompressed, byte for byte, and recorded as compressed', async () => {
    const body = oilPayload('truck-600');
    const res = await app.post('truck-600', gzipSync(body), { 'content-encoding': 'gzip' });
    expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
    const blob = await app.inspector.blob(res.body.blob as string);
    expect(blob.bytes.toString()).toBe(body);
    expect(blob.metadata.receivedencoding).toBe('gzip');
    // The same file sent uncompressed is the same file.
    expect((await app.post('truck-600', body)).body.status).toBe('duplicate');
  });

  test.each([
    [
      'a zip bomb (1 MiB of zeros in ~1 KiB)',
      gzipSync(Buffer.alloc(1024 * 1024)),
      'gzip',
      413,
      'payload_too_large',
    ],
    ['not gzip at all', Buffer.from(oilPayload('truck-601')), 'gzip', 400, 'invalid_gzip'],
    [
      'a truncated gzip stream',
      gzipSync(oilPayload('truck-601')).subarray(0, 40),
      'gzip',
      400,
      'invalid_gzip',
    ],
    ['brotli', Buffer.from('x'), 'br', 415, 'unsupported_content_encoding'],
    ['deflate', Buffer.from('x'), 'deflate', 415, 'unsupported_content_encoding'],
  ])('%s -> %p %s, nothing written', async (_name, body, encoding, status, error) => {
    const before = await app.inspector.counts();
    const res = await app.post('truck-601', body, { 'content-encoding': encoding });
    expect(res).toMatchObject({ status, body: { error } });
    expect(await app.inspector.counts()).toEqual(before);
  });

  test('duplicate keys are refused, even when spelled with escapes', async () => {
    const before = await app.inspector.counts();
    for (const body of [
      '{"deviceId":"a","deviceId":"b","readings":[]}',
      '{"readings":{"a":1,"\\u0061":2}}',
    ]) {
      const res = await app.post('pump-1', body);
      expect(res).toMatchObject({ status: 400, body: { error: 'duplicate_key' } });
    }
    expect(await app.inspector.counts()).toEqual(before);
  });

  test('nesting deeper than MAX_JSON_DEPTH is refused; at the limit it is accepted', async () => {
    expect((await app.post('pump-2', '['.repeat(17) + ']'.repeat(17))).body.error).toBe('json_too_deep');
    expect((await app.post('pump-2', '['.repeat(16) + ']'.repeat(16))).status).toBe(200);
  });

  test('__proto__ keys and huge numbers get a deterministic answer', async () => {
    expect((await app.post('pump-3', '{"__proto__":{"admin":true}}')).status).toBe(200);
    const huge = await app.post(
      'truck-602',
      oilPayload('truck-602', {
        readings: [{ timestamp: '2026-11-25T08:10:00Z', oilTemperatureC: 12345.678 }],
      }).replace('12345.678', '1e400'),
    );
    // JSON.parse turns 1e400 into Infinity, which Ajv's strict number type refuses.
    expect(huge).toMatchObject({ status: 400, body: { error: 'schema_validation' } });
    expect((huge.body.details as Array<{ path: string }>)[0]!.path).toBe('/readings/0/oilTemperatureC');
    // Digits beyond double precision are kept exactly: the blob is the bytes, not a re-serialisation.
    const precise = '{"counter":123456789012345678901234567890}';
    const stored = await app.post('pump-3', precise);
    expect((await app.inspector.blob(stored.body.blob as string)).bytes.toString()).toBe(precise);
  });
});

describeWithAzurite('rate limiting', () => {
  test('a device over its burst gets 429 with Retry-After; other devices are unaffected', async () => {
    // A clock that stands still unless moved: no token refills between requests, however slow they are.
    const clock = new TestClock();
    const app = await createTestApp(
      { RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3' },
      undefined,
      clock.now,
    );
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await app.post('truck-700', oilPayload('truck-700', { sequence: i }))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await app.post('truck-700', oilPayload('truck-700', { sequence: 9 }));
    expect(limited).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await app.inspector.blobNames('truck-700/')).toHaveLength(3);
    expect((await app.post('truck-701', oilPayload('truck-701'))).status).toBe(200);

    // Retry-After is honest: one token is back exactly when it says.
    clock.advance(Number(limited.headers['retry-after']) * 1000 - 1);
    expect((await app.post('truck-700', oilPayload('truck-700', { sequence: 10 }))).status).toBe(429);
    clock.advance(1);
    expect((await app.post('truck-700', oilPayload('truck-700', { sequence: 11 }))).status).toBe(200);
  });
});

describeWithAzurite("the device key in a header of the operator's choosing", () => {
  test('DEVICE_KEY_HEADER names it: stored byte-identical; x-device-key is then an unknown header', async () => {
    const app = await createTestApp({ DEVICE_KEY_HEADER: 'X-Api-Key' });
    const key = await app.keyFor('truck-850');
    const body = oilPayload('truck-850');
    const res = await app.post('truck-850', body, { authorization: null, 'x-api-key': key });
    expect(res).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect((await app.inspector.blob(res.body.blob as string)).bytes.toString()).toBe(body);
    const other = await app.post('truck-850', body, { authorization: null, 'x-device-key': key });
    expect(other).toMatchObject({
      status: 401,
      body: { error: 'missing_credentials', message: expect.stringContaining('"x-api-key"') },
    });
  });
});

describeWithAzurite('failed authentications behind one address', () => {
  test('an address that spent its budget on invented ids: valid keys still get in, forged ones get 401', async () => {
    const clock = new TestClock();
    const app = await createTestApp(
      { AUTH_FAILURES_PER_MINUTE: '60', AUTH_FAILURE_BURST: '3' },
      undefined,
      clock.now,
    );
    const known = await app.keyFor('truck-800');
    const neverSeen = await app.keyFor('truck-801');
    const nat = { 'x-forwarded-for': '198.51.100.9:40000' };
    expect((await app.post('truck-800', oilPayload('truck-800'), { ...nat, ...bearer(known) })).status).toBe(
      200,
    );
    const forged = (n: number) => ({
      ...nat,
      authorization: `Bearer truck-9${n}~00000000~${'A'.repeat(43)}`,
    });
    const statuses = [];
    for (let n = 0; n < 10; n++)
      statuses.push((await app.post(`truck-9${n}`, oilPayload(`truck-9${n}`), forged(n))).status);
    expect(statuses).toEqual(Array(10).fill(401));
    // The budget is spent: neither a device this instance knows nor one it never saw is refused.
    const again = await app.post('truck-800', oilPayload('truck-800', { sequence: 2 }), {
      ...nat,
      ...bearer(known),
    });
    expect(again.status).toBe(200);
    const first = await app.post('truck-801', oilPayload('truck-801'), { ...nat, ...bearer(neverSeen) });
    expect(first.status).toBe(200);
    expect(await app.inspector.blobNames('truck-9')).toEqual([]);
  });
});
