import type { DeviceRecord, DeviceRegistry } from '../../shared/auth/deviceRecord';
import { CachedDeviceRegistry } from '../../shared/auth/cachedDeviceRegistry';

/** A registry that counts its reads, with devices a test can change behind the cache's back. */
function countingRegistry(known: Record<string, DeviceRecord> = {}) {
  const reads: string[] = [];
  const inner: DeviceRegistry = {
    get: async (deviceId) => {
      reads.push(deviceId);
      return known[deviceId] && structuredClone(known[deviceId]);
    },
    touchKey: async () => undefined,
  };
  return { inner, reads, known };
}

const device = (deviceId: string, keyIds: string[]): DeviceRecord => ({
  deviceId,
  disabled: false,
  createdAt: '2026-11-25T00:00:00Z',
  keys: keyIds.map((keyId) => ({ keyId, hash: 'ab', createdAt: '2026-11-25T00:00:00Z' })),
});

describe('CachedDeviceRegistry', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  test('get reads once per TTL; refresh re-reads at once, then at most once per interval', async () => {
    const { inner, reads, known } = countingRegistry({ 'truck-1': device('truck-1', ['k1']) });
    const cache = new CachedDeviceRegistry(inner, 60_000, { minRefreshIntervalMs: 5_000 }, clock);

    await cache.get('truck-1');
    await cache.get('truck-1');
    expect(reads).toEqual(['truck-1']);

    // The CLI rotates a key: the cached record does not know k2. The first refresh reads at once.
    known['truck-1'] = device('truck-1', ['k1', 'k2']);
    expect((await cache.refresh('truck-1'))!.keys.map((k) => k.keyId)).toEqual(['k1', 'k2']);
    expect((await cache.get('truck-1'))!.keys).toHaveLength(2);
    expect(reads).toHaveLength(2);

    // Forged key ids for a known device: no more than one read per interval.
    for (let i = 0; i < 50; i++) await cache.refresh('truck-1');
    now += 4_999;
    await cache.refresh('truck-1');
    expect(reads).toHaveLength(2);
    now += 1;
    await cache.refresh('truck-1');
    expect(reads).toHaveLength(3);
  });

  test('unknown ids are remembered briefly and in bounded number, so they cannot evict real devices', async () => {
    const { inner, reads } = countingRegistry({ 'truck-1': device('truck-1', ['k1']) });
    const cache = new CachedDeviceRegistry(
      inner,
      60_000,
      { maxEntries: 10, maxUnknown: 3, unknownTtlMs: 10_000 },
      clock,
    );
    await cache.get('truck-1');
    for (let i = 0; i < 20; i++) await cache.get(`ghost-${i}`);
    expect(cache.size).toEqual({ entries: 4, unknown: 3 });
    // The real device is still cached after a flood of twenty invented ids.
    await cache.get('truck-1');
    expect(reads.filter((id) => id === 'truck-1')).toHaveLength(1);
    // A remembered unknown id is not read again within its short TTL, and is after it.
    const ghostReads = () => reads.filter((id) => id === 'ghost-0').length;
    await cache.get('ghost-0');
    expect(ghostReads()).toBe(1);
    now += 10_001;
    await cache.get('ghost-0');
    expect(ghostReads()).toBe(2);
  });

  test('a failed read is not cached', async () => {
    let fail = true;
    const inner: DeviceRegistry = {
      get: async () => {
        if (fail) throw new Error('storage down');
        return device('truck-1', ['k1']);
      },
      touchKey: async () => undefined,
    };
    const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
    await expect(cache.get('truck-1')).rejects.toThrow('storage down');
    fail = false;
    expect(await cache.get('truck-1')).toMatchObject({ deviceId: 'truck-1' });
  });

  test('a record is served until its TTL is up, to the millisecond', async () => {
    const { inner, reads } = countingRegistry({ 'truck-1': device('truck-1', ['k1']) });
    const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
    await cache.get('truck-1');
    now += 59_999;
    await cache.get('truck-1');
    expect(reads).toHaveLength(1);
    now += 1;
    await cache.get('truck-1');
    expect(reads).toHaveLength(2);
  });

  test('beyond maxEntries the least recently read device goes first', async () => {
    const { inner, reads } = countingRegistry({
      a: device('a', ['k1']),
      b: device('b', ['k1']),
      c: device('c', ['k1']),
    });
    const cache = new CachedDeviceRegistry(inner, 60_000, { maxEntries: 2 }, clock);
    for (const id of ['a', 'b']) await cache.get(id);
    await cache.get('a');
    expect(reads).toEqual(['a', 'b']);

    await cache.get('c');
    expect(cache.size).toEqual({ entries: 2, unknown: 0 });
    for (const id of ['b', 'c', 'a']) await cache.get(id);
    expect(reads).toEqual(['a', 'b', 'c', 'a']);
  });

  describe('a read overtaken by a newer one (refresh during a slow read)', () => {
    /** A registry whose reads answer when the test says, in any order. */
    function slowRegistry() {
      const pending: Array<{ resolve: (r: DeviceRecord | undefined) => void; reject: (e: Error) => void }> =
        [];
      const inner: DeviceRegistry = {
        get: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
        touchKey: async () => undefined,
      };
      return { inner, pending };
    }

    test('an old "unknown" answer does not mark the device unknown', async () => {
      const { inner, pending } = slowRegistry();
      const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
      const first = cache.get('truck-1');
      const second = cache.refresh('truck-1');
      pending[1]!.resolve(device('truck-1', ['k1']));
      await second;
      pending[0]!.resolve(undefined);
      await first;
      expect(cache.size).toEqual({ entries: 1, unknown: 0 });
    });

    test('an old failure does not drop the newer record', async () => {
      const { inner, pending } = slowRegistry();
      const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
      const first = cache.get('truck-1');
      const second = cache.refresh('truck-1');
      pending[1]!.resolve(device('truck-1', ['k1']));
      await second;
      pending[0]!.reject(new Error('timeout'));
      await expect(first).rejects.toThrow('timeout');

      // Served from the cache: no third read is started (one would never be answered).
      const again = cache.get('truck-1');
      expect(pending).toHaveLength(2);
      expect(await again).toMatchObject({ deviceId: 'truck-1' });
    });
  });

  test('by default an unknown id is remembered for 10 s', async () => {
    const { inner, reads } = countingRegistry();
    const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
    await cache.get('ghost');
    now += 9_999;
    await cache.get('ghost');
    expect(reads).toEqual(['ghost']);
    now += 1;
    await cache.get('ghost');
    expect(reads).toEqual(['ghost', 'ghost']);
  });

  test('refresh of a device never read reads it', async () => {
    const { inner, reads } = countingRegistry({ 'truck-1': device('truck-1', ['k1']) });
    const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
    expect(await cache.refresh('truck-1')).toMatchObject({ deviceId: 'truck-1' });
    expect(reads).toEqual(['truck-1']);
  });

  test('touchKey goes straight to the registry', async () => {
    const touched: unknown[] = [];
    const inner: DeviceRegistry = {
      get: async () => undefined,
      touchKey: async (...args) => void touched.push(args),
    };
    const at = new Date('2026-11-25T08:00:00Z');
    await new CachedDeviceRegistry(inner, 60_000, {}, clock).touchKey('truck-1', 'k1', at);
    expect(touched).toEqual([['truck-1', 'k1', at]]);
  });
});
