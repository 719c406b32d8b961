import { RequestError } from '../../../shared/errors';
import {
  PROFILE_KEYWORD,
  checkPayloadDevice,
  profilesFromSchemas,
  valueAt,
  valuesAt,
} from '../../../shared/validation/modelProfile';

describe('profilesFromSchemas', () => {
  test("each model gets its schema's x-telemetry annotation, or an empty profile", () => {
    const profile = { deviceId: '/deviceId', readingTimes: '/readings/*/timestamp' };
    expect(PROFILE_KEYWORD).toBe('x-telemetry');
    expect(
      profilesFromSchemas([
        { model: 'annotated', schema: { $id: 'annotated', 'x-telemetry': profile } },
        { model: 'plain', schema: { $id: 'plain' } },
      ]),
    ).toEqual({ annotated: profile, plain: {} });
  });
});

describe('valueAt (RFC 6901)', () => {
  const doc = {
    a: { b: 1, '': 'empty key' },
    'a/b': 'slash',
    'm~n': 'tilde',
    '~1': 'escaped escape',
    list: [10, 20],
    nothing: null,
    zero: 0,
    text: 'abc',
  };

  test.each([
    ['', doc],
    ['/a', doc.a],
    ['/a/b', 1],
    ['/a/', 'empty key'],
    ['/a~1b', 'slash'],
    ['/m~0n', 'tilde'],
    ['/~01', 'escaped escape'],
    ['/list/1', 20],
    ['/zero', 0],
    ['/nothing', null],
    ['/missing', undefined],
    ['/a/b/c', undefined],
    ['/nothing/x', undefined],
    ['/list/5', undefined],
    ['/toString', undefined],
    ['/a/constructor', undefined],
    ['/a/b/0', undefined],
    ['/text/0', undefined],
    ['/text/length', undefined],
  ])('%j -> %j', (pointer, expected) => {
    expect(valueAt(doc, pointer)).toEqual(expected);
  });
});

describe('valuesAt (`*` is every element, or the value itself)', () => {
  test.each<[string, unknown, string, unknown[]]>([
    ['a batch', { readings: [{ t: 1 }, { t: 2 }, { x: 3 }] }, '/readings/*/t', [1, 2]],
    ['one reading as an object', { readings: { t: 1 } }, '/readings/*/t', [1]],
    ['no readings', { other: 1 }, '/readings/*/t', []],
    ['a null in the batch', { readings: [null, { t: 2 }] }, '/readings/*/t', [2]],
    ['a scalar where an object should be', { readings: 5 }, '/readings/*/t', []],
    ['nested batches', { days: [{ r: [{ t: 1 }, { t: 2 }] }, { r: { t: 3 } }] }, '/days/*/r/*/t', [1, 2, 3]],
    ['escaped keys', { 'a/b': [{ 'm~n': 7 }] }, '/a~1b/*/m~0n', [7]],
    ['every escape in a segment', { 'a/b/c': { 'm~n~o': 8 } }, '/a~1b~1c/*/m~0n~0o', [8]],
    ['~01 is ~1, not /', { '~1': [9], '/': [0] }, '/~01/*', [9]],
    ['an inherited property', { readings: [{}] }, '/readings/*/constructor', []],
    ['a string where an object should be', { readings: ['ab'] }, '/readings/*/0', []],
    ['the empty pointer', { a: 1 }, '', [{ a: 1 }]],
  ])('%s: %j at %j', (_case, doc, pointer, expected) => {
    expect(valuesAt(doc, pointer)).toEqual(expected);
  });
});

describe('checkPayloadDevice', () => {
  const profile = { deviceId: '/deviceId' };

  test.each<[string, object | undefined, unknown]>([
    ["the file names the URL's device", profile, { deviceId: 'truck-042' }],
    ['the file names no device', profile, { readings: [] }],
    ['the model has no device pointer', {}, { deviceId: 'truck-999' }],
    ['there is no profile', undefined, { deviceId: 'truck-999' }],
  ])('accepts: %s', (_case, model, payload) => {
    expect(() => checkPayloadDevice(model, payload, 'truck-042')).not.toThrow();
  });

  test.each<[string, unknown, string]>([
    ['another device', 'truck-999', 'the file says "truck-999", the URL says "truck-042"'],
    ['a number', 42, 'the file says "42", the URL says "truck-042"'],
    ['null', null, 'the file says "null", the URL says "truck-042"'],
    [
      'a long id, cut at 80 characters',
      'x'.repeat(100),
      `the file says "${'x'.repeat(79)}, the URL says "truck-042"`,
    ],
  ])('refuses %s with 400 device_id_mismatch, saying both ids', (_case, claimed, message) => {
    let thrown: unknown;
    try {
      checkPayloadDevice(profile, { deviceId: claimed }, 'truck-042');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RequestError);
    expect(thrown).toMatchObject({
      status: 400,
      code: 'device_id_mismatch',
      message: 'The file names another device than the URL.',
      details: [{ path: '/deviceId', message }],
    });
  });
});
