/**
 * The sweep over the whole fleet, then the devices silent after it: what the timer function and
 * `telemetry-ops sweep` / `silent` run. `sweepOver` wires it to real storage
 * (shared/storage/sweepPorts.ts); `sweepFleet` is the same run on any ports.
 */
import type { DeviceRecord, DeviceRegistryAdmin } from '../auth/deviceRecord';
import type { StorageClients } from '../storage/clients';
import { sweepPorts } from '../storage/sweepPorts';
import { type SilentDevice, silentDevices } from '../silence';
import { runSweep } from './sweep';
import type { SweepDependencies, SweepResult } from './types';

/** A run, and the devices silent once it has recorded what it confirmed (shared/silence.ts). */
export interface SweepRun extends SweepResult {
  silent: SilentDevice[];
}

export interface SweepSettings {
  storageTimeoutMs: number;
  orphanAfterMs: number;
  now?: () => Date;
  /** Only these devices (default: every registered device and every device with files). */
  devices?: string[];
}

/** The ledger, the raw files, the confirmation record, the device rows, and the device folders. */
export interface FleetPorts extends Pick<SweepDependencies, 'ledger' | 'blobs' | 'confirmations'> {
  registry: Pick<DeviceRegistryAdmin, 'listDevices' | 'recordLastFile'>;
  /** The devices with a folder of files in the raw container. */
  deviceFolders(): Promise<string[]>;
}

export function sweepOver(clients: StorageClients, settings: SweepSettings): Promise<SweepRun> {
  return sweepFleet(sweepPorts(clients, settings.storageTimeoutMs), settings);
}

export async function sweepFleet(
  ports: FleetPorts,
  settings: Omit<SweepSettings, 'storageTimeoutMs'>,
): Promise<SweepRun> {
  const { orphanAfterMs, now = () => new Date(), devices } = settings;
  const { ledger, blobs, confirmations, registry } = ports;
  // One read of the device rows serves both the list of devices and the silence that follows.
  const registered = await registry.listDevices();
  const result = await runSweep({
    ledger,
    blobs,
    confirmations,
    lastFiles: { record: (deviceId, receivedAt) => registry.recordLastFile(deviceId, receivedAt) },
    // Registered devices, and any device with files (a device removed from the registry, or one
    // that posted while authentication was off locally).
    devices: async () => {
      if (devices) return devices;
      const ids = new Set(registered.map((d) => d.deviceId));
      for (const id of await ports.deviceFolders()) ids.add(id);
      return [...ids].sort();
    },
    orphanAfterMs,
    now,
  });
  return { ...result, silent: silentDevices(withRunFiles(registered, result), now()) };
}

/** The rows as read before the run, with the newest files the run has just recorded on them. */
function withRunFiles(registered: DeviceRecord[], result: SweepResult) {
  const newest = new Map(result.devices.map((d) => [d.deviceId, d.lastFileAt]));
  return registered.map((device) => {
    const run = newest.get(device.deviceId);
    const lastFileAt = [device.lastFileAt, run]
      .filter((t) => t !== undefined)
      .sort()
      .pop();
    return lastFileAt === undefined ? device : { ...device, lastFileAt };
  });
}
