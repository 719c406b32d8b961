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

  test('a cached device is read again once its TTL has passed, not before (a revoked key stops within the TTL)', async () => {
    const { inner, reads } = countingRegistry({ 'truck-1': device('truck-1', ['k1']) });
    const cache = new CachedDeviceRegistry(inner, 60_000, {}, clock);
    await cache.get('truck-1');
    now += 60_000 - 1;
    await cache.get('truck-1');
    expect(reads).toEqual(['truck-1']);
    now += 1;
    await cache.get('truck-1');
    expect(reads).toEqual(['truck-1', 'truck-1']);
  });
});
