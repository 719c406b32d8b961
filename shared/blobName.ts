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
