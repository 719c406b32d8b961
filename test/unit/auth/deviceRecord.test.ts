import { isKeyActive } from '../../../shared/auth/deviceRecord';

describe('isKeyActive', () => {
  const now = new Date('2026-11-25T08:00:00.000Z');
  const key = (expiresAt?: string) => ({
    keyId: '0123abcd',
    hash: 'ab',
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt,
  });

  test.each([
    ['without an expiry', undefined, true],
    ['expiring a millisecond later', '2026-11-25T08:00:00.001Z', true],
    ['expiring at this very moment', '2026-11-25T08:00:00.000Z', false],
    ['expired a millisecond ago', '2026-11-25T07:59:59.999Z', false],
  ])('a key %s -> %s', (_case, expiresAt, active) => {
    expect(isKeyActive(key(expiresAt), now)).toBe(active);
  });
});
