import { RequestError } from './errors';
import { sha256Hex } from './hash';

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,128}$/;

/**
 * The key that makes a resend recognisable: the device's own `Idempotency-Key` when it sends one,
 * otherwise the SHA-256 of the body, so an unchanged file resent by a gateway is always the same key.
 */
export function idempotencyKeyFor(header: string | null | undefined, bodySha256: string): string {
  if (header === null || header === undefined) return bodySha256;
  if (!PRINTABLE_ASCII.test(header) || header.trim() !== header) {
    throw new RequestError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1-128 printable ASCII characters.',
      [
        {
          path: 'headers.idempotency-key',
          message: 'printable ASCII (0x20-0x7E), no leading or trailing spaces',
        },
      ],
    );
  }
  return header;
}

/**
 * Table RowKeys may not contain / \ # ? or control characters, and quotes and percent signs make
 * URL and OData escaping fragile; every character outside [A-Za-z0-9._-] becomes ~XX (hex), which
 * keeps the mapping one-to-one.
 */
export function toRowKey(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A short, path-safe digest of the key for blob names and logs. */
export function shortKey(key: string): string {
  return sha256Hex(key).slice(0, 16);
}
