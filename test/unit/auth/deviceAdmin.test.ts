/**
 * Device provisioning (shared/auth/deviceAdmin.ts) on the in-memory registry, with a clock the test
 * sets: what the devices table holds after each operation, and the key the caller is handed.
 */
import {
  UnknownModelError,
  addDevice,
  addKey,
  checkModel,
  existing,
  knownModels,
  provisionDemoDevice,
  rotateKey,
} from '../../../shared/auth/deviceAdmin';
import { hashDeviceKey, parseDeviceKey } from '../../../shared/auth/deviceKey';
import type { DeviceKeyRecord } from '../../../shared/auth/deviceRecord';
import { TestClock } from '../../helpers/clock';
import { MemoryDeviceRegistry } from '../../helpers/memoryStores';

const T0 = '2026-11-25T08:00:00.000Z';
const HOUR = 3_600_000;

/** The key record a token stands for: its id and the hash the table must hold for it. */
function keyOf(token: string, createdAt = T0, extra: Partial<DeviceKeyRecord> = {}): DeviceKeyRecord {
  const key = parseDeviceKey(token)!;
  return { keyId: key.keyId, hash: hashDeviceKey(key), createdAt, ...extra };
}

function fixture() {
  return { registry: new MemoryDeviceRegistry(), clock: new TestClock(T0) };
}

describe('models', () => {
  test('knownModels are the schemas under shared/schemas/models', () => {
    expect(knownModels()).toEqual(['default', 'oil-condition-v1']);
  });

  test('checkModel returns a known model and names the known ones for any other', () => {
    expect(checkModel('oil-condition-v1')).toBe('oil-condition-v1');
    expect(() => checkModel('oil-condition-v9')).toThrow(
      new UnknownModelError('Unknown model "oil-condition-v9". Known models: default, oil-condition-v1.'),
    );
    expect(() => checkModel('oil-condition-v9')).toThrow(UnknownModelError);
  });
});

describe('addDevice', () => {
  test('registers the device with its model and one key; the token is that key, only its hash is kept', async () => {
    const { registry, clock } = fixture();

    const token = await addDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);

    expect(parseDeviceKey(token)?.deviceId).toBe('truck-042');
    expect(await registry.get('truck-042')).toEqual({
      deviceId: 'truck-042',
      model: 'oil-condition-v1',
      disabled: false,
      createdAt: T0,
      keys: [keyOf(token)],
    });
  });

  test('without a model the device has none (the device map decides)', async () => {
    const { registry, clock } = fixture();
    await addDevice(registry, 'pump-7', undefined, clock.now);
    expect((await registry.get('pump-7'))?.model).toBeUndefined();
  });

  test('an unknown model is refused and nothing is registered', async () => {
    const { registry, clock } = fixture();
    await expect(addDevice(registry, 'truck-042', 'oil-condition-v9', clock.now)).rejects.toThrow(
      UnknownModelError,
    );
    expect(await registry.list()).toEqual([]);
  });

  test('an id that exists is refused and keeps its key', async () => {
    const { registry, clock } = fixture();
    const first = await addDevice(registry, 'truck-042', undefined, clock.now);
    await expect(addDevice(registry, 'truck-042', undefined, clock.now)).rejects.toThrow('already exists');
    expect((await registry.get('truck-042'))?.keys).toEqual([keyOf(first)]);
  });

  test('without a clock the key is dated by the system clock', async () => {
    const registry = new MemoryDeviceRegistry();
    const before = Date.now();
    await addDevice(registry, 'truck-042');
    const createdAt = Date.parse((await registry.get('truck-042'))!.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('addKey', () => {
  test('adds a labelled key beside the existing ones, which stay valid', async () => {
    const { registry, clock } = fixture();
    const first = await addDevice(registry, 'truck-042', undefined, clock.now);
    clock.advance(HOUR);

    const second = await addKey(registry, 'truck-042', 'gateway 7', clock.now);

    const later = new Date(Date.parse(T0) + HOUR).toISOString();
    expect((await registry.get('truck-042'))?.keys).toEqual(
      expect.arrayContaining([keyOf(first), keyOf(second, later, { label: 'gateway 7' })]),
    );
    expect((await registry.get('truck-042'))?.keys).toHaveLength(2);
  });
});

describe('rotateKey', () => {
  test('adds a key and cuts every key still active at the end of the grace period to that end', async () => {
    const { registry, clock } = fixture();
    const open = await addDevice(registry, 'truck-042', undefined, clock.now);
    const endsLater = await addKey(registry, 'truck-042', 'ends in a day', clock.now);
    const endsSooner = await addKey(registry, 'truck-042', 'ends in 30 min', clock.now);
    const endsAtGraceEnd = await addKey(registry, 'truck-042', 'ends in an hour', clock.now);
    const inADay = new Date(Date.parse(T0) + 24 * HOUR).toISOString();
    const in30Min = new Date(Date.parse(T0) + HOUR / 2).toISOString();
    const graceEnd = new Date(Date.parse(T0) + HOUR).toISOString();
    await registry.expireKey('truck-042', parseDeviceKey(endsLater)!.keyId, inADay);
    await registry.expireKey('truck-042', parseDeviceKey(endsSooner)!.keyId, in30Min);
    await registry.expireKey('truck-042', parseDeviceKey(endsAtGraceEnd)!.keyId, graceEnd);

    const { token, expiring } = await rotateKey(registry, 'truck-042', HOUR, clock.now);

    const cut = [
      keyOf(open, T0, { expiresAt: graceEnd }),
      keyOf(endsLater, T0, { label: 'ends in a day', expiresAt: graceEnd }),
    ];
    expect(expiring).toEqual(expect.arrayContaining(cut));
    expect(expiring).toHaveLength(2);
    const keys = (await registry.get('truck-042'))!.keys;
    expect(keys).toEqual(
      expect.arrayContaining([
        ...cut,
        keyOf(endsSooner, T0, { label: 'ends in 30 min', expiresAt: in30Min }),
        keyOf(endsAtGraceEnd, T0, { label: 'ends in an hour', expiresAt: graceEnd }),
        keyOf(token),
      ]),
    );
    expect(keys).toHaveLength(5);
  });

  test('an unknown device is refused before any key is made', async () => {
    const { registry, clock } = fixture();
    await expect(rotateKey(registry, 'truck-999', HOUR, clock.now)).rejects.toThrow(
      'Device "truck-999" does not exist.',
    );
    expect(await registry.get('truck-999')).toBeUndefined();
  });
});

describe('provisionDemoDevice', () => {
  test('creates the device with a key labelled `npm start` the first time', async () => {
    const { registry, clock } = fixture();

    const token = await provisionDemoDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);

    expect(await registry.get('truck-042')).toEqual({
      deviceId: 'truck-042',
      model: 'oil-condition-v1',
      disabled: false,
      createdAt: T0,
      keys: [keyOf(token, T0, { label: 'npm start' })],
    });
  });

  test('later starts replace the previous start key, keep other keys, and turn a disabled device back on', async () => {
    const { registry, clock } = fixture();
    const firstStart = await provisionDemoDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);
    const operators = await addKey(registry, 'truck-042', 'gateway 7', clock.now);
    await registry.setDisabled('truck-042', true);
    clock.advance(HOUR);

    const secondStart = await provisionDemoDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);

    const device = (await registry.get('truck-042'))!;
    expect(device.disabled).toBe(false);
    expect(device.keys).toEqual(
      expect.arrayContaining([
        keyOf(operators, T0, { label: 'gateway 7' }),
        keyOf(secondStart, new Date(Date.parse(T0) + HOUR).toISOString(), { label: 'npm start' }),
      ]),
    );
    expect(device.keys).toHaveLength(2);
    expect(device.keys.map((k) => k.keyId)).not.toContain(parseDeviceKey(firstStart)!.keyId);
  });

  test('a device that is enabled is not written to again', async () => {
    const { registry, clock } = fixture();
    await provisionDemoDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);
    const setDisabled = jest.spyOn(registry, 'setDisabled');

    await provisionDemoDevice(registry, 'truck-042', 'oil-condition-v1', clock.now);

    expect(setDisabled).not.toHaveBeenCalled();
  });
});

describe('existing', () => {
  test('returns the device, or refuses one that does not exist', async () => {
    const { registry, clock } = fixture();
    await addDevice(registry, 'truck-042', undefined, clock.now);
    expect(await existing(registry, 'truck-042')).toMatchObject({ deviceId: 'truck-042' });
    await expect(existing(registry, 'truck-999')).rejects.toThrow('Device "truck-999" does not exist.');
  });
});
