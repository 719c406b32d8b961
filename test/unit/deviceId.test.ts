import { isDeviceId, parseDeviceId } from '../../shared/deviceId';

describe('parseDeviceId', () => {
  test.each(['truck-042', 'A', 'a.b_c-d', 'x'.repeat(64), '0truck'])('accepts %j', (id) => {
    expect(parseDeviceId(id)).toBe(id);
  });

  test.each([
    undefined,
    '',
    '.',
    '..',
    '../x',
    'a/b',
    'a\\b',
    'a..b',
    '-x',
    '_x',
    '.x',
    'x'.repeat(65),
    'tru\u0441k',
    'a b',
    'a%2Fb',
    'a\u0000',
  ])('refuses %j with 400 invalid_device_id', (id) => {
    expect(() => parseDeviceId(id)).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_device_id' }),
    );
  });
});

describe('the refusal says what a device id may hold', () => {
  test('message and details, as the device sees them', () => {
    expect(() => parseDeviceId('a/b')).toThrow(
      expect.objectContaining({
        message: 'The device id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$.',
        details: [
          {
            path: 'deviceId',
            message: 'letters, digits, ".", "_" and "-" only, starting with a letter or digit, at most 64',
          },
        ],
      }),
    );
  });

  test('isDeviceId answers the same question without throwing', () => {
    expect([isDeviceId('truck-042'), isDeviceId('a..b'), isDeviceId(undefined), isDeviceId('')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
