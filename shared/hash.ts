import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Blob Storage verifies Content-MD5 on upload, so a corrupted transfer is refused rather than stored. */
export function md5(bytes: Uint8Array): Buffer {
  return createHash('md5').update(bytes).digest();
}
