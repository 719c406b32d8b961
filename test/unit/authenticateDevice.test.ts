import { DeviceAuthenticator } from '../../shared/auth/authenticateDevice';
import { CachedDeviceRegistry } from '../../shared/auth/cachedDeviceRegistry';
import { DeviceDirectory } from '../../shared/auth/deviceDirectory';
import { TokenBucketLimiter } from '../../shared/rateLimiter';
import { MemoryDeviceRegistry } from '../helpers/memoryDeviceRegistry';

const TTL_MS = 60_000;
const NAT = '198.51.100.7';
const forged = (deviceId: string) => `${deviceId}~00000000~${'A'.repeat(43)}`;

/** The runtime's wiring over an in-memory table: cache, per-address budget, directory, one clock. */
function setup({ burst = 3, perMinute = 60, guarded = true } = {}) {
  let ms = Date.parse('2026-11-25T08:00:00Z');
  const clock = { now: () => new Date(ms), millis: () => ms, advance: (by: number) => void (ms += by) };
  const table = new MemoryDeviceRegistry();
  const cache = new CachedDeviceRegistry(table, TTL_MS, {}, clock.millis);
  const budget = new TokenBucketLimiter(perMinute, burst, clock.millis);
  const directory = new DeviceDirectory(() => table.listIds(), 10_000, clock.millis);
  const auth = new DeviceAuthenticator(cache, {
    unknownIds: guarded ? { budget, directory } : undefined,
    deviceKeyHeader: 'x-api-key',
    now: clock.now,
  });
  const check = (deviceId: string, key: string | undefined, client = NAT) =>
    auth.authenticate(deviceId, key, client).then(
      (record) => ({ status: 200, device: record.deviceId }),
      (err: { status: number; code: string }) => ({ status: err.status, code: err.code }),
    );
  return { table, cache, budget, clock, check };
}

describe('DeviceAuthenticator: the key check', () => {
  test('no key: 401 missing_credentials, challenging for Bearer and Basic, naming the key header', async () => {
    const { table } = setup();
    const auth = new DeviceAuthenticator(table, { deviceKeyHeader: 'x-api-key' });
    const err = await auth.authenticate('truck-1', undefined, NAT).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 401,
      code: 'missing_credentials',
      message: expect.stringContaining('"x-api-key"'),
      headers: {
        'WWW-Authenticate':
          'Bearer realm="telemetry-ingest", Basic realm="telemetry-ingest", charset="UTF-8"',
      },
    });
    expect(table.reads).toEqual([]);
  });

  test('its own valid key: the record; last use written at most once per 5 minutes, per key', async () => {
    const { table, check, clock } = setup();
    const key = table.add('truck-1');
    const other = table.add('truck-2');
    expect(await check('truck-1', key)).toEqual({ status: 200, device: 'truck-1' });
    clock.advance(1);
    expect(await check('truck-1', key)).toEqual({ status: 200, device: 'truck-1' });
    expect(table.touches).toBe(1);
    // Another device's key has its own interval.
    await check('truck-2', other);
    expect(table.touches).toBe(2);
    clock.advance(5 * 60_000 - 2);
    await check('truck-1', key);
    expect(table.touches).toBe(2);
    clock.advance(1);
    await check('truck-1', key);
    expect(table.touches).toBe(3);
  });

  test('a last use another instance wrote within the interval is not written again', async () => {
    const { table, check, clock } = setup();
    const key = table.add('truck-1');
    await check('truck-1', key);
    expect(table.touches).toBe(1);
    // A second instance, its own cache, the same table: the record says the key was used 1 min ago.
    clock.advance(60_000);
    const other = new DeviceAuthenticator(table, { now: () => new Date(clock.millis()) });
    await expect(other.authenticate('truck-1', key, NAT)).resolves.toMatchObject({ deviceId: 'truck-1' });
    expect(table.touches).toBe(1);
    clock.advance(4 * 60_000);
    await other.authenticate('truck-1', key, NAT);
    expect(table.touches).toBe(2);
  });

  test('a failed last-use write does not refuse a valid device', async () => {
    const { table, check } = setup();
    const key = table.add('truck-1');
    table.touchFault = new Error('table unavailable');
    expect(await check('truck-1', key)).toEqual({ status: 200, device: 'truck-1' });
    expect(table.touches).toBe(1);
  });

  test('without a configured header name, a request without a key is told about x-device-key', async () => {
    const auth = new DeviceAuthenticator(new MemoryDeviceRegistry());
    await expect(auth.authenticate('truck-1', undefined, NAT)).rejects.toMatchObject({
      message: expect.stringContaining('"x-device-key" header'),
    });
  });

  test('a device with several keys: each works, and a known key id causes no re-read', async () => {
    const { table, check } = setup();
    const first = table.add('truck-1');
    const second = table.add('truck-1');
    expect((await check('truck-1', second)).status).toBe(200);
    expect((await check('truck-1', first)).status).toBe(200);
    expect(table.reads).toEqual(['truck-1']);
  });

  test.each([
    ['not a key at all', 'not-a-key'],
    ['an empty key', ''],
    ['a wrong secret', 'WRONG'],
  ])('%s: 401 invalid_credentials', async (_name, kind) => {
    const { table, check } = setup();
    const key = table.add('truck-1');
    const sent = kind === 'WRONG' ? key.replace(/~[^~]+$/, `~${'B'.repeat(43)}`) : kind;
    expect(await check('truck-1', sent)).toEqual({ status: 401, code: 'invalid_credentials' });
  });

  test('a string that is no key costs no read', async () => {
    const { table, check } = setup();
    await check('truck-1', 'not-a-key');
    expect(table.reads).toEqual([]);
  });

  test("another device's valid key: 403 forbidden; a disabled device: 403 device_disabled", async () => {
    const { table, check } = setup();
    const other = table.add('truck-2');
    const disabled = table.add('truck-3', { disabled: true });
    expect(await check('truck-1', other)).toEqual({ status: 403, code: 'forbidden' });
    expect(await check('truck-3', disabled)).toEqual({ status: 403, code: 'device_disabled' });
    const auth = new DeviceAuthenticator(table);
    await expect(auth.authenticate('truck-1', other, NAT)).rejects.toThrow(
      'This key belongs to another device.',
    );
    await expect(auth.authenticate('truck-3', disabled, NAT)).rejects.toThrow('This device is disabled.');
  });

  test('an expired key is 401 from its expiry on', async () => {
    const { table, check, clock } = setup();
    const key = table.add('truck-1', { expiresAt: new Date(clock.millis() + 1_000).toISOString() });
    expect((await check('truck-1', key)).status).toBe(200);
    clock.advance(1_000);
    expect(await check('truck-1', key)).toEqual({ status: 401, code: 'invalid_credentials' });
  });

  test('a key id the cached record does not know re-reads the device: a new key works at once', async () => {
    const { table, check } = setup();
    expect((await check('truck-1', table.add('truck-1'))).status).toBe(200);
    const fresh = table.add('truck-1');
    expect((await check('truck-1', fresh)).status).toBe(200);
    expect(table.reads).toEqual(['truck-1', 'truck-1']);
  });
});

describe('DeviceAuthenticator: behind a shared address, nobody is refused for a neighbour', () => {
  test('a revoked key retried without pause costs at most one read per 5 s and spends no budget', async () => {
    const { table, check, clock, budget } = setup({ burst: 1 });
    const revoked = table.add('truck-1');
    const valid = table.add('truck-2');
    table.remove('truck-1');
    table.add('truck-1'); // its key was rotated; the gateway still sends the old one
    const statuses = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      statuses.add((await check('truck-1', revoked)).status);
      clock.advance(10);
    }
    expect([...statuses]).toEqual([401]);
    // 10 s of retries: the first read, one refresh at once and one per 5 s after it.
    expect(table.reads.filter((id) => id === 'truck-1').length).toBeLessThanOrEqual(4);
    expect(await check('truck-2', valid)).toEqual({ status: 200, device: 'truck-2' });
    expect(budget.take(NAT)).toEqual({ allowed: true });
  });

  test('ever new invented ids: a bounded number of reads, and a never-seen valid device behind the same address still gets in', async () => {
    const { table, check } = setup({ burst: 3 });
    const valid = table.add('truck-9');
    const statuses = new Set<number>();
    for (let i = 0; i < 10_000; i++) statuses.add((await check(`ghost-${i}`, forged(`ghost-${i}`))).status);
    expect([...statuses]).toEqual([401]);
    // The burst of per-id reads, then the directory: one listing (the clock stood still).
    expect(table.reads).toHaveLength(3);
    expect(table.listings).toBe(1);
    expect(await check('truck-9', valid)).toEqual({ status: 200, device: 'truck-9' });
    expect(table.listings).toBe(1);
  });

  test('the directory is listed again at most every 10 s, and finds a device registered since', async () => {
    const { table, check, clock } = setup({ burst: 1, perMinute: 1 });
    await check('ghost-0', forged('ghost-0'));
    for (let i = 1; i < 100; i++) await check(`ghost-${i}`, forged(`ghost-${i}`));
    expect(table.listings).toBe(1);
    const late = table.add('truck-new');
    expect((await check('truck-new', late)).status).toBe(401);
    clock.advance(10_000);
    expect(await check('truck-new', late)).toEqual({ status: 200, device: 'truck-new' });
    expect(table.listings).toBe(2);
  });

  test('a known device whose cache entry expired is read again without spending the budget', async () => {
    const { table, check, clock } = setup({ burst: 2, perMinute: 1 });
    const valid = table.add('truck-1');
    expect((await check('truck-1', valid)).status).toBe(200);
    for (let i = 0; i < 2; i++) await check(`ghost-${i}`, forged(`ghost-${i}`));
    clock.advance(TTL_MS);
    const readsBefore = table.reads.length;
    expect(await check('truck-1', valid)).toEqual({ status: 200, device: 'truck-1' });
    expect(table.reads.slice(readsBefore)).toEqual(['truck-1']);
    expect(table.listings).toBe(0);
  });

  test('a cached device is checked in memory: a spent budget costs it no read and no listing', async () => {
    const { table, check } = setup({ burst: 1, perMinute: 1 });
    const valid = table.add('truck-1');
    expect((await check('truck-1', valid)).status).toBe(200);
    await check('ghost-0', forged('ghost-0'));
    for (let i = 0; i < 5; i++) expect((await check('truck-1', valid)).status).toBe(200);
    expect(table.reads).toEqual(['truck-1', 'ghost-0']);
    expect(table.listings).toBe(0);
  });

  test('the budget is taken before the read: N concurrent forged requests do not all read', async () => {
    const { table, check } = setup({ burst: 5 });
    const release = table.hold();
    const answers = Array.from({ length: 50 }, (_, i) => check(`ghost-${i}`, forged(`ghost-${i}`)));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(new Set((await Promise.all(answers)).map((a) => a.status))).toEqual(new Set([401]));
    expect(table.reads).toHaveLength(5);
    expect(table.listings).toBe(1);
  });

  test('a read that finds the device gives its token back: many new devices need no listing', async () => {
    const { table, check } = setup({ burst: 2, perMinute: 1 });
    const keys = Array.from({ length: 20 }, (_, i) => table.add(`truck-${i}`));
    for (const [i, key] of keys.entries()) expect((await check(`truck-${i}`, key)).status).toBe(200);
    expect(table.listings).toBe(0);
  });

  test('budgets are per address group: another address reads as usual', async () => {
    const { table, check } = setup({ burst: 1, perMinute: 1 });
    await check('ghost-a', forged('ghost-a'), NAT);
    await check('ghost-b', forged('ghost-b'), NAT);
    await check('ghost-c', forged('ghost-c'), '203.0.113.5');
    expect(table.reads).toEqual(['ghost-a', 'ghost-c']);
  });

  test('without the guard every id is read as asked', async () => {
    const { table, check } = setup({ burst: 1, guarded: false });
    for (let i = 0; i < 5; i++) await check(`ghost-${i}`, forged(`ghost-${i}`));
    expect(table.reads).toHaveLength(5);
    expect(table.listings).toBe(0);
  });

  test('a registry that cannot tell what a lookup costs is charged as for unknown ids', async () => {
    const table = new MemoryDeviceRegistry();
    const key = table.add('truck-1');
    const budget = new TokenBucketLimiter(1, 1, () => 0);
    const directory = new DeviceDirectory(
      () => table.listIds(),
      10_000,
      () => 0,
    );
    const auth = new DeviceAuthenticator(table, { unknownIds: { budget, directory } });
    await expect(auth.authenticate('ghost', forged('ghost'), NAT)).rejects.toMatchObject({ status: 401 });
    await expect(auth.authenticate('truck-1', key, NAT)).resolves.toMatchObject({ deviceId: 'truck-1' });
    expect(table.listings).toBe(1);
  });
});
