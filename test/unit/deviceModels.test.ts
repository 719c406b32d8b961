import { ConfigurationError } from '../../shared/errors';
import { deviceModelMapFor, modelForDevice, parseDeviceModelMap } from '../../shared/validation/deviceModels';

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
    ['Sensor-7', 'default'],
  ])('%s -> %s', (device, model) => {
    expect(modelForDevice(map, device)).toBe(model);
  });

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['unknown model', '{"devices":{"a":"nope"}}', /unknown model "nope"/],
    ['unknown default', '{"default":"nope"}', /"default" names unknown model/],
    ['devices not an object', '{"devices":[]}', /"devices" must be an object/],
    ['devices null', '{"devices":null}', /"devices" must be an object/],
    ['devices a string', '{"devices":"truck-*"}', /"devices" must be an object/],
  ])('%s fails with a ConfigurationError naming the source', (_name, json, message) => {
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(ConfigurationError);
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(message);
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(/DEVICE_MODELS/);
  });
});

describe('device model map: details', () => {
  test('without "default" everything else falls back to the model named default', () => {
    const map = parseDeviceModelMap('{"devices":{"truck-*":"oil-condition-v1"}}', known, 'test');
    expect(modelForDevice(map, 'pump-1')).toBe('default');
  });

  test('an exact id is not a prefix: it names that device only', () => {
    const map = parseDeviceModelMap('{"devices":{"truck-042":"other"}}', known, 'test');
    expect([modelForDevice(map, 'truck-042'), modelForDevice(map, 'truck-0421')]).toEqual([
      'other',
      'default',
    ]);
  });

  test.each([
    ['an exact id', '{"devices":{"truck-042":"nope"}}', '"truck-042" names unknown model "nope"'],
    ['a prefix', '{"devices":{"truck-*":7}}', '"truck-*" names unknown model 7'],
  ])('an unknown model under %s names the entry and every known model', (_case, json, what) => {
    expect(() => parseDeviceModelMap(json, known, 'DEVICE_MODELS')).toThrow(
      new ConfigurationError('DEVICE_MODELS', `${what}; known: default, oil-condition-v1, other`),
    );
  });

  test('the bundled map is used unless DEVICE_MODELS overrides it', () => {
    const bundled = deviceModelMapFor(known);
    expect([modelForDevice(bundled, 'truck-1'), modelForDevice(bundled, 'pump-1')]).toEqual([
      'oil-condition-v1',
      'default',
    ]);
    const override = deviceModelMapFor(known, '{"devices":{"pump-*":"other"}}');
    expect([modelForDevice(override, 'truck-1'), modelForDevice(override, 'pump-1')]).toEqual([
      'default',
      'other',
    ]);
  });

  test('a map naming a model this build lacks fails naming where the map came from', () => {
    const onlyDefault = new Set(['default']);
    expect(() => deviceModelMapFor(onlyDefault)).toThrow(
      /^Invalid setting shared\/schemas\/device-models\.json: /,
    );
    expect(() => deviceModelMapFor(onlyDefault, '{"devices":{"a":"other"}}')).toThrow(
      /^Invalid setting DEVICE_MODELS: /,
    );
  });
});
