import { createHash } from 'node:crypto';
import type { RawBody } from './rawBody';

export function sha256Hex(data: Uint8Array | string | RawBody): string {
  return typeof data === 'string' || data instanceof Uint8Array
    ? createHash('sha256').update(data).digest('hex')
    : data.digest('sha256').toString('hex');
}

/** Blob Storage verifies Content-MD5 on upload, so a corrupted transfer is refused rather than stored. */
export function md5(body: RawBody): Buffer {
  return body.digest('md5');
}
