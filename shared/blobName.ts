/**
 * `{deviceId}/{yyyy}/{MM}/{dd}/{HHmmssSSS}Z_{shortKey}.json` from the UTC receive time: a vendor can
 * list one device's day with a prefix, names sort by time, and the short key keeps two files received
 * in the same millisecond apart.
 */
export function blobNameFor(deviceId: string, receivedAt: Date, shortKey: string): string {
  const iso = receivedAt.toISOString(); // 2026-11-25T17:09:56.123Z
  const date = iso.slice(0, 10).replace(/-/g, '/');
  const time = iso.slice(11, 23).replace(/[:.]/g, '');
  return `${deviceId}/${date}/${time}Z_${shortKey}.json`;
}

/** Where the smoke test's files go: not a device folder, so no vendor reader takes them for data. */
export const SMOKE_PREFIX = '_smoke/';

/**
 * Blob names for a deployment whose smoke-test devices match `patterns` (exact ids, or `prefix*`):
 * their files go under `_smoke/{deviceId}/...` (DATA_CONTRACT.md), every other device's under its own
 * folder.
 */
export function blobNamer(patterns: readonly string[]): typeof blobNameFor {
  const isSmoke = (deviceId: string) =>
    patterns.some((p) => (p.endsWith('*') ? deviceId.startsWith(p.slice(0, -1)) : deviceId === p));
  return (deviceId, receivedAt, shortKey) =>
    `${isSmoke(deviceId) ? SMOKE_PREFIX : ''}${blobNameFor(deviceId, receivedAt, shortKey)}`;
}
