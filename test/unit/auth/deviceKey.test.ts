import { createHmac } from 'node:crypto';
import { hashDeviceKey, newDeviceKey, parseDeviceKey, sameDigest } from '../../../shared/auth/deviceKey';

/** HMAC-SHA256(secret, "<deviceId>~<keyId>") as docs/SECURITY.md states it, computed here. */
const hmac = (secret: string, message: string) => createHmac('sha256', secret).update(message).digest('hex');

const SECRET = 'A'.repeat(20) + '_-' + 'z9'.repeat(10) + 'Q'; // 43 base64url characters

describe('newDeviceKey', () => {
  test('a token `<deviceId>~<8 hex>~<43 base64url>`, its parts, and the HMAC of the ids under the secret', () => {
    const key = newDeviceKey('truck-042');

    expect(key.token).toMatch(/^truck-042~[0-9a-f]{8}~[A-Za-z0-9_-]{43}$/);
    expect(key.token).toBe(`${key.deviceId}~${key.keyId}~${key.secret}`);
    expect(key.deviceId).toBe('truck-042');
    expect(key.hash).toBe(hmac(key.secret, `truck-042~${key.keyId}`));
    expect(parseDeviceKey(key.token)).toEqual({
      deviceId: 'truck-042',
      keyId: key.keyId,
      secret: key.secret,
    });
  });

  test('every key is new: another key id and secret each time', () => {
    const [a, b] = [newDeviceKey('truck-042'), newDeviceKey('truck-042')];
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.secret).not.toBe(b.secret);
  });
});

describe('parseDeviceKey', () => {
  test.each([
    ['truck-042', `truck-042~0123abcd~${SECRET}`],
    ['a', `a~ffffffff~${SECRET}`],
    ['a.b_c-d', `a.b_c-d~00000000~${SECRET}`],
  ])('reads device %j out of %j', (deviceId, token) => {
    expect(parseDeviceKey(token)).toEqual({ deviceId, keyId: token.split('~')[1], secret: SECRET });
  });

  test.each([
    ['no parts', 'truck-042'],
    ['a key id of 7 hex digits', `truck-042~0123abc~${SECRET}`],
    ['a key id of 9 hex digits', `truck-042~0123abcde~${SECRET}`],
    ['an upper-case key id', `truck-042~0123ABCD~${SECRET}`],
    ['a secret one character short', `truck-042~0123abcd~${SECRET.slice(1)}`],
    ['a secret one character long', `truck-042~0123abcd~${SECRET}x`],
    ['a secret with "+" (base64, not base64url)', `truck-042~0123abcd~+${SECRET.slice(1)}`],
    ['a device id that is not one', `../x~0123abcd~${SECRET}`],
    ['an empty device id', `~0123abcd~${SECRET}`],
    ['a leading space', ` truck-042~0123abcd~${SECRET}`],
    ['a trailing newline', `truck-042~0123abcd~${SECRET}\n`],
    ['a fourth part', `truck-042~0123abcd~${SECRET}~x`],
  ])('refuses %s', (_case, token) => {
    expect(parseDeviceKey(token)).toBeUndefined();
  });
});

describe('hashDeviceKey', () => {
  const key = { deviceId: 'truck-042', keyId: '0123abcd', secret: SECRET };

  test('is the HMAC-SHA256 of "<deviceId>~<keyId>" under the secret, in hex', () => {
    expect(hashDeviceKey(key)).toBe(hmac(SECRET, 'truck-042~0123abcd'));
  });

  test.each([
    ['another device', { ...key, deviceId: 'truck-043' }],
    ['another key id', { ...key, keyId: '0123abce' }],
    ['another secret', { ...key, secret: SECRET.replace('A', 'B') }],
  ])('binds the ids: %s gives another hash', (_case, other) => {
    expect(hashDeviceKey(other)).not.toBe(hashDeviceKey(key));
  });
});

describe('sameDigest', () => {
  const digest = hmac(SECRET, 'x');

  test.each([
    ['the same digest', digest, digest, true],
    ['the same bytes in upper case', digest, digest.toUpperCase(), true],
    ['one byte different', digest, `${digest.slice(0, -2)}00`, false],
    ['a shorter digest', digest, digest.slice(0, -2), false],
    ['a longer digest', digest, `${digest}00`, false],
    ['an empty stored hash', digest, '', false],
    ['two empty hashes', '', '', false],
    ['text that is not hex on both sides', 'zz', 'zz', false],
  ])('%s -> %s', (_case, a, b, expected) => {
    expect(sameDigest(a, b)).toBe(expected);
  });
});
