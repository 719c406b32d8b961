import { createHash } from 'node:crypto';
import { RequestError } from '../../shared/errors';
import { sha256Hex } from '../../shared/hash';
import { idempotencyKeyFor, shortKey, toRowKey } from '../../shared/idempotencyKey';

const bodySha = sha256Hex('{"a":1}');

describe('idempotencyKeyFor', () => {
  test('without a header the key is the SHA-256 of the body', () => {
    expect(idempotencyKeyFor(null, bodySha)).toBe(bodySha);
    expect(idempotencyKeyFor(undefined, bodySha)).toBe(bodySha);
  });

  test.each(['a', 'file-0001.json', 'x'.repeat(128), '~!@#$%^&*()_+{}|:"<>?/\\ ok'])('accepts %j', (key) => {
    expect(idempotencyKeyFor(key, bodySha)).toBe(key);
  });

  test.each(['', 'x'.repeat(129), 'caf\u00e9', 'tab\there', 'new\nline', ' leading', 'trailing '])(
    'refuses %j with 400',
    (key) => {
      expect(() => idempotencyKeyFor(key, bodySha)).toThrow(
        expect.objectContaining({
          status: 400,
          code: 'invalid_idempotency_key',
          message: 'Idempotency-Key must be 1-128 printable ASCII characters.',
          details: [
            {
              path: 'headers.idempotency-key',
              message: 'printable ASCII (0x20-0x7E), no leading or trailing spaces',
            },
          ],
        }) as RequestError,
      );
    },
  );
});

describe('toRowKey', () => {
  test.each([
    ['abcDEF123._-', 'abcDEF123._-'],
    ['a/b\\c#d?e', 'a~2fb~5cc~23d~3fe'],
    ["it's 100%", 'it~27s~20100~25'],
    ['~', '~7e'],
    // Not an Idempotency-Key (those are printable ASCII), but the mapping stays two hex digits wide.
    ['\t', '~09'],
  ])('%j -> %j', (key, rowKey) => {
    expect(toRowKey(key)).toBe(rowKey);
  });

  test('is one-to-one: a key that looks escaped does not collide with the key it looks like', () => {
    expect(toRowKey('~2f')).not.toBe(toRowKey('/'));
  });

  test('never contains characters Table Storage forbids in keys', () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    expect(toRowKey(all)).toMatch(/^[A-Za-z0-9._~-]+$/);
  });
});

describe('shortKey', () => {
  test('is the first 16 hex characters of the SHA-256 of the key', () => {
    expect(shortKey('batch-0001')).toBe(createHash('sha256').update('batch-0001').digest('hex').slice(0, 16));
  });

  test('is 16 hex characters and stable', () => {
    expect(shortKey('k')).toMatch(/^[0-9a-f]{16}$/);
    expect(shortKey('k')).toBe(shortKey('k'));
    expect(shortKey('k')).not.toBe(shortKey('l'));
  });
});
