import { parseDeviceId } from '../../shared/deviceId';

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
