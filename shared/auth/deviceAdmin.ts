/**
 * Device provisioning shared by the ops CLI (`npm run device`), `npm start` and the tests: keys are
 * generated here, printed once by the caller, and only their hashes reach the devices table.
 */
import { newDeviceKey } from './deviceKey';
import { type DeviceKeyRecord, type DeviceRecord, isKeyActive } from './deviceRecord';
import { MIN_EXPECT_EVERY_SECONDS } from '../silence';
import type { TableDeviceRegistry } from '../storage/tableDeviceRegistry';
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

function keyRecord(deviceId: string, label?: string): { token: string; record: DeviceKeyRecord } {
  const key = newDeviceKey(deviceId);
  return {
    token: key.token,
    record: { keyId: key.keyId, hash: key.hash, createdAt: new Date().toISOString(), label },
  };
}

/**
 * Registers a device with its first key and returns the key. Without a model the device map decides
 * (see shared/validation/deviceModels.ts).
 */
export async function addDevice(
  registry: TableDeviceRegistry,
  deviceId: string,
  model?: string,
): Promise<string> {
  const { token, record } = keyRecord(deviceId);
  await registry.create(
    { deviceId, model: model === undefined ? '' : checkModel(model), createdAt: record.createdAt },
    record,
  );
  return token;
}

/** Adds one more key to an existing device (older keys stay valid) and returns it. */
export async function addKey(
  registry: TableDeviceRegistry,
  deviceId: string,
  label?: string,
): Promise<string> {
  const { token, record } = keyRecord(deviceId, label);
  await registry.addKey(deviceId, record);
  return token;
}

/** Adds a new key; existing keys keep working until `graceMs` from now, then stop. */
export async function rotateKey(
  registry: TableDeviceRegistry,
  deviceId: string,
  graceMs: number,
): Promise<{ token: string; expiring: DeviceKeyRecord[] }> {
  const device = await existing(registry, deviceId);
  const token = await addKey(registry, deviceId);
  const expiresAt = new Date(Date.now() + graceMs).toISOString();
  // Keys still active after the grace period get cut to it; keys already ending sooner keep their date.
  const expiring = device.keys.filter((k) => isKeyActive(k, new Date(expiresAt)));
  for (const key of expiring) await registry.expireKey(deviceId, key.keyId, expiresAt);
  return { token, expiring: expiring.map((k) => ({ ...k, expiresAt })) };
}

/** `npm start`'s demo device: a fresh key each start, replacing the previous start's key. */
export async function provisionDemoDevice(
  registry: TableDeviceRegistry,
  deviceId: string,
  model: string,
): Promise<string> {
  const label = 'npm start';
  const device = await registry.get(deviceId);
  if (!device) {
    const { token, record } = keyRecord(deviceId, label);
    await registry.create({ deviceId, model, createdAt: record.createdAt }, record);
    return token;
  }
  for (const key of device.keys.filter((k) => k.label === label))
    await registry.removeKey(deviceId, key.keyId);
  if (device.disabled) await registry.setDisabled(deviceId, false);
  return addKey(registry, deviceId, label);
}

export async function existing(registry: TableDeviceRegistry, deviceId: string): Promise<DeviceRecord> {
  const device = await registry.get(deviceId);
  if (!device) throw new Error(`Device "${deviceId}" does not exist.`);
  return device;
}

/** `device set --expect-every`: how often the device sends; silence is judged against it. */
export async function setExpectEvery(
  registry: TableDeviceRegistry,
  deviceId: string,
  seconds: number,
): Promise<void> {
  if (!Number.isInteger(seconds) || seconds < MIN_EXPECT_EVERY_SECONDS)
    throw new Error(`The expected interval must be whole seconds, at least ${MIN_EXPECT_EVERY_SECONDS}.`);
  await registry.setExpectEvery(deviceId, seconds);
}
