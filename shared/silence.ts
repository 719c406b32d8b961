import type { DeviceRecord } from './auth/deviceRecord';

/**
 * Device silence, the one rule behind the alert and `telemetry-ops silent`: a device whose newest
 * confirmed file is at most a week old (it was in service lately) and older than its expected
 * interval. A device that never sent, or has been quiet for over a week (parked, retired), is not
 * silent: it is known to be away. A disabled device is refused on purpose, so it is not either.
 */
export const DEFAULT_EXPECT_EVERY_SECONDS = 2 * 3600;
/** `--expect-every` below this would make every scheduling jitter an alert. */
export const MIN_EXPECT_EVERY_SECONDS = 60;
export const SEEN_WITHIN_SECONDS = 7 * 86_400;

export interface SilentDevice {
  deviceId: string;
  lastFileAt: string;
  silentForSeconds: number;
  expectEverySeconds: number;
}

export function silentDevices(devices: readonly DeviceRecord[], now: Date): SilentDevice[] {
  const silent: SilentDevice[] = [];
  for (const device of devices) {
    if (device.disabled || device.lastFileAt === undefined) continue;
    const silentForSeconds = Math.floor((now.getTime() - Date.parse(device.lastFileAt)) / 1000);
    const expectEverySeconds = device.expectEverySeconds ?? DEFAULT_EXPECT_EVERY_SECONDS;
    if (silentForSeconds > expectEverySeconds && silentForSeconds <= SEEN_WITHIN_SECONDS)
      silent.push({
        deviceId: device.deviceId,
        lastFileAt: device.lastFileAt,
        silentForSeconds,
        expectEverySeconds,
      });
  }
  return silent.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}
