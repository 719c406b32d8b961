/**
 * Device provisioning shared by the ops CLI (`npm run device`), `npm start` and the tests: keys are
 * generated here, printed once by the caller, and only their hashes reach the devices table.
 */
import { newDeviceKey } from './deviceKey';
import {
  type DeviceKeyRecord,
  type DeviceRecord,
  type DeviceRegistryAdmin,
  isKeyActive,
} from './deviceRecord';
import { readModelSchemas } from '../validation/modelSchemas';

/** The model is not one this build can validate: assigning it would make every upload fail. */
export class UnknownModelError extends Error {}

export function knownModels(): string[] {
  return readModelSchemas().map((s) => s.model);
}

export function checkModel(model: string): string {
  const models = knownModels();
  if (!models.includes(model))
    throw new UnknownModelError(`Unknown model "${model}". Known models: ${models.join(', ')}.`);
  return model;
}

/** The clock every function here takes last: tests pass their own. */
type Clock = () => Date;
const systemClock: Clock = () => new Date();

function keyRecord(deviceId: string, now: Clock, label?: string): { token: string; record: DeviceKeyRecord } {
  const key = newDeviceKey(deviceId);
  return {
    token: key.token,
    record: { keyId: key.keyId, hash: key.hash, createdAt: now().toISOString(), label },
  };
}

/**
 * Registers a device with its first key and returns the key. Without a model the device map decides
 * (see shared/validation/deviceModels.ts).
 */
export async function addDevice(
  registry: DeviceRegistryAdmin,
  deviceId: string,
  model?: string,
  now: Clock = systemClock,
): Promise<string> {
  const { token, record } = keyRecord(deviceId, now);
  await registry.create(
    { deviceId, model: model === undefined ? '' : checkModel(model), createdAt: record.createdAt },
    record,
  );
  return token;
}

/** Adds one more key to an existing device (older keys stay valid) and returns it. */
export async function addKey(
  registry: DeviceRegistryAdmin,
  deviceId: string,
  label?: string,
  now: Clock = systemClock,
): Promise<string> {
  const { token, record } = keyRecord(deviceId, now, label);
  await registry.addKey(deviceId, record);
  return token;
}

/** Adds a new key; existing keys keep working until `graceMs` from now, then stop. */
export async function rotateKey(
  registry: DeviceRegistryAdmin,
  deviceId: string,
  graceMs: number,
  now: Clock = systemClock,
): Promise<{ token: string; expiring: DeviceKeyRecord[] }> {
  const device = await existing(registry, deviceId);
  const token = await addKey(registry, deviceId, undefined, now);
  const expiresAt = new Date(now().getTime() + graceMs).toISOString();
  // Keys still active after the grace period get cut to it; keys already ending sooner keep their date.
  const expiring = device.keys.filter((k) => isKeyActive(k, new Date(expiresAt)));
  for (const key of expiring) await registry.expireKey(deviceId, key.keyId, expiresAt);
  return { token, expiring: expiring.map((k) => ({ ...k, expiresAt })) };
}

/** `npm start`'s demo device: a fresh key each start, replacing the previous start's key. */
export async function provisionDemoDevice(
  registry: DeviceRegistryAdmin,
  deviceId: string,
  model: string,
  now: Clock = systemClock,
): Promise<string> {
  const label = 'npm start';
  const device = await registry.get(deviceId);
  if (!device) {
    const { token, record } = keyRecord(deviceId, now, label);
    await registry.create({ deviceId, model, createdAt: record.createdAt }, record);
    return token;
  }
  for (const key of device.keys.filter((k) => k.label === label))
    await registry.removeKey(deviceId, key.keyId);
  if (device.disabled) await registry.setDisabled(deviceId, false);
  return addKey(registry, deviceId, label, now);
}

export async function existing(registry: DeviceRegistryAdmin, deviceId: string): Promise<DeviceRecord> {
  const device = await registry.get(deviceId);
  if (!device) throw new Error(`Device "${deviceId}" does not exist.`);
  return device;
}
