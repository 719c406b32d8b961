import { ConfigurationError } from '../../shared/errors';
import { modelForDevice, parseDeviceModelMap } from '../../shared/validation/deviceModels';

const known = new Set(['default', 'oil-condition-v1', 'other']);

describe('device model map', () => {
  const map = parseDeviceModelMap(
    JSON.stringify({
      default: 'default',
      devices: { 'truck-*': 'oil-condition-v1', 'truck-9*': 'other', 'truck-042': 'other' },
    }),
    known,
    'test',
  );

  test.each([
    ['truck-042', 'other'], // exact id wins
    ['truck-900', 'other'], // longest prefix wins
    ['truck-100', 'oil-condition-v1'],
    ['pump-1', 'default'],
  ])('%s -> %s', (device, model) => {
    expect(modelForDevice(map, device)).toBe(model);
  });

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['unknown model', '{"devices":{"a":"nope"}}', /unknown model "nope"/],
    ['unknown default', '{"default":"nope"}', /"default" names unknown model/],
    ['devices not an object', '{"devices":[]}', /"devices" must be an object/],
  ])('%s fails with a ConfigurationError naming the source', (_name, json, message) => {
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(ConfigurationError);
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(message);
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(/DEVICE_MODELS/);
  });
});
