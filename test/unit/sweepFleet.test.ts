/**
 * sweepFleet (shared/sweep/sweepOver.ts): which devices a run sweeps, and the devices silent after
 * it, judged on the rows read before the run merged with the newest files the run just confirmed.
 * The in-memory ledger, blobs and registry, on a test clock.
 */
import { runSweep } from '../../shared/sweep/sweep';
import { sweepFleet } from '../../shared/sweep/sweepOver';
import { fileWith, LEDGER_FIXTURE, ledgerFixture } from '../helpers/ledgerFixture';
import { MemoryDeviceRegistry } from '../helpers/memoryStores';

const { DEVICE, T0, HOUR, ORPHAN_AFTER } = LEDGER_FIXTURE;
const MINUTE = 60_000;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

async function fleet(folders: string[] = []) {
  const fx = ledgerFixture();
  const registry = new MemoryDeviceRegistry();
  const key = (keyId: string) => ({ keyId, hash: keyId, createdAt: T0 });
  for (const deviceId of [DEVICE, 'truck-007'])
    await registry.create({ deviceId, model: '', createdAt: T0 }, key(`k-${deviceId}`));
  const run = (devices?: string[]) =>
    sweepFleet(
      { ...fx, registry, deviceFolders: async () => folders },
      { orphanAfterMs: ORPHAN_AFTER, now: fx.clock.now, devices },
    );
  return { fx, registry, run };
}

describe('sweepFleet: the devices it sweeps', () => {
  test('every registered device and every device with a folder, once each, by id', async () => {
    const { run } = await fleet(['truck-100', DEVICE, 'truck-001']);
    const result = await run();
    expect(result.devices.map((d) => d.deviceId)).toEqual(['truck-001', 'truck-007', DEVICE, 'truck-100']);
  });

  test('only the devices it is given, when given some', async () => {
    const { fx, run } = await fleet(['truck-100']);
    await fx.send(fileWith('2026-11-25T08:14:00Z', 1));
    expect((await run(['truck-007'])).devices.map((d) => d.deviceId)).toEqual(['truck-007']);
    expect((await run([DEVICE])).confirmed).toBe(1);
  });
});

describe('sweepFleet: the devices silent after the run', () => {
  test("a file the run confirms is recorded on the device's row and counts at once", async () => {
    const { fx, registry, run } = await fleet();
    await registry.setExpectEvery(DEVICE, HOUR / 1000);
    await fx.send(fileWith('2026-11-25T08:14:00Z', 1));
    fx.clock.advance(HOUR + MINUTE);

    const result = await run();
    expect(result.confirmed).toBe(1);
    expect((await registry.get(DEVICE))?.lastFileAt).toBe(T0);
    expect(result.silent).toEqual([
      { deviceId: DEVICE, lastFileAt: T0, silentForSeconds: 3660, expectEverySeconds: 3600 },
    ]);
  });

  test('a device that sent within its interval is not silent; one recorded earlier and quiet since is', async () => {
    const { fx, registry, run } = await fleet();
    await registry.recordLastFile('truck-007', at(-3 * HOUR));
    fx.clock.advance(30 * MINUTE);
    await fx.send(fileWith('2026-11-25T08:44:00Z', 1));

    const result = await run();
    expect(result.silent).toEqual([
      {
        deviceId: 'truck-007',
        lastFileAt: at(-3 * HOUR),
        silentForSeconds: 3.5 * 3600,
        expectEverySeconds: 7200,
      },
    ]);
  });

  test("the row's time wins over an older file the run confirms late", async () => {
    const { fx, registry, run } = await fleet();
    await fx.send(fileWith('2026-11-25T08:14:00Z', 1));
    await registry.recordLastFile(DEVICE, at(HOUR));
    fx.clock.advance(3 * HOUR + MINUTE);

    const result = await run();
    expect(result.confirmed).toBe(1);
    expect(result.silent).toEqual([
      { deviceId: DEVICE, lastFileAt: at(HOUR), silentForSeconds: 2 * 3600 + 60, expectEverySeconds: 7200 },
    ]);
    expect((await registry.get(DEVICE))?.lastFileAt).toBe(at(HOUR));
  });

  test('a device that never sent is not silent, and nothing is recorded for it', async () => {
    const { fx, registry, run } = await fleet();
    fx.clock.advance(10 * HOUR);
    expect((await run()).silent).toEqual([]);
    expect((await registry.get('truck-007'))?.lastFileAt).toBeUndefined();
  });
});

describe('sweepFleet and runSweep: the clock and the record of newest files are optional', () => {
  test('without a clock the run is judged by the system clock', async () => {
    const fx = ledgerFixture();
    const registry = new MemoryDeviceRegistry();
    await registry.create(
      { deviceId: 'truck-007', model: '', createdAt: T0 },
      { keyId: 'k', hash: 'k', createdAt: T0 },
    );
    const threeHoursAgo = new Date(Date.now() - 3 * HOUR).toISOString();
    await registry.recordLastFile('truck-007', threeHoursAgo);
    const result = await sweepFleet(
      { ...fx, registry, deviceFolders: async () => [] },
      { orphanAfterMs: ORPHAN_AFTER },
    );
    expect(result.silent.map((d) => [d.deviceId, d.lastFileAt])).toEqual([['truck-007', threeHoursAgo]]);
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(Date.parse(threeHoursAgo) + 3 * HOUR);
  });

  test('a sweep without a record of newest files confirms all the same', async () => {
    const fx = ledgerFixture();
    await fx.send(fileWith('2026-11-25T08:14:00Z', 1));
    const result = await runSweep({
      ledger: fx.ledger,
      blobs: fx.blobs,
      confirmations: fx.confirmations,
      devices: async () => [DEVICE],
      orphanAfterMs: ORPHAN_AFTER,
      now: fx.clock.now,
    });
    expect(result).toMatchObject({ confirmed: 1, devices: [{ deviceId: DEVICE, lastFileAt: T0 }] });
    expect(fx.confirmations.names()).toHaveLength(1);
  });
});
