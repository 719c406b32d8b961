import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_ID_PATTERN } from '../deviceId';

/**
 * Device keys look like `<deviceId>~<keyId>~<secret>`: the secret is 256 random bits (base64url), the
 * device id and key id let the server find the one stored hash to compare without a scan, and tell
 * "another device's valid key" (403) from "no valid key" (401).
 *
 * Only `HMAC-SHA256(secret, "<deviceId>~<keyId>")` is stored. With 256-bit random secrets a fast keyed
 * hash is enough (nothing to brute-force), and binding it to the ids stops a copied hash from
 * authorising another device or key.
 */
const DEVICE_KEY = new RegExp(`^(${DEVICE_ID_PATTERN})~([0-9a-f]{8})~([A-Za-z0-9_-]{43})$`);

export interface DeviceKey {
  deviceId: string;
  keyId: string;
  secret: string;
}

export function newDeviceKey(deviceId: string): DeviceKey & { token: string; hash: string } {
  const keyId = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = { deviceId, keyId, secret };
  return { ...key, token: `${deviceId}~${keyId}~${secret}`, hash: hashDeviceKey(key) };
}

export function parseDeviceKey(token: string): DeviceKey | undefined {
  const match = DEVICE_KEY.exec(token);
  return match ? { deviceId: match[1]!, keyId: match[2]!, secret: match[3]! } : undefined;
}

export function hashDeviceKey(key: DeviceKey): string {
  return createHmac('sha256', key.secret).update(`${key.deviceId}~${key.keyId}`).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
