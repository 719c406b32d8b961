import standaloneCode from 'ajv/dist/standalone';
import { createAjv } from '../../shared/validation/createAjv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileModels, validatorOf } from '../../shared/validation/compileValidators';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';
import { EXPLAIN_MAX_BYTES, MAX_REPORTED_ERRORS } from '../../shared/validation/payloadValidator';
import { readModelSchemas } from '../../shared/validation/modelSchemas';
import { SchemaValidationError } from '../../shared/errors';

const validator = loadGeneratedValidator();
const sample = JSON.parse(
  readFileSync(join(__dirname, '../../docs/samples/oil-condition.json'), 'utf8'),
) as Record<string, unknown>;
const reading = { timestamp: '2026-11-25T08:10:00Z', viscosityCSt: 90 };

function errorsOf(model: string, data: unknown, size = 100) {
  try {
    validator.validate(model, data, size);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaValidationError);
    return (err as SchemaValidationError).details;
  }
}

describe('generated (standalone) validators', () => {
  test('know every model in shared/schemas/models', () => {
    expect([...validator.models].sort()).toEqual(readModelSchemas().map((s) => s.model));
  });

  test.each([
    ['the sample file', sample],
    ['one reading as an object', { deviceId: 't', readings: reading }],
    ['extra firmware fields', { deviceId: 't', readings: [{ ...reading, newSensor: 1 }], extra: true }],
  ])('oil-condition-v1 accepts %s', (_name, data) => {
    expect(errorsOf('oil-condition-v1', data)).toBeUndefined();
  });

  test('reports every error up to the cap, with JSON-pointer paths', () => {
    const readings = Array.from({ length: 30 }, () => ({ timestamp: 'bad', oilTemperatureC: 20 }));
    const details = errorsOf('oil-condition-v1', { deviceId: 't', readings })!;
    expect(details).toHaveLength(MAX_REPORTED_ERRORS);
    expect(details[0]).toEqual({ path: '/readings/0/timestamp', message: 'must match format "date-time"' });
  });

  test('large payloads report only the first error (bounded work on hostile input)', () => {
    const readings = Array.from({ length: 30 }, () => ({ timestamp: 'bad', oilTemperatureC: 20 }));
    expect(errorsOf('oil-condition-v1', { deviceId: 't', readings }, EXPLAIN_MAX_BYTES + 1)).toHaveLength(1);
  });

  test('the default model accepts any object or array and refuses scalars', () => {
    expect(errorsOf('default', { any: 1 })).toBeUndefined();
    expect(errorsOf('default', [1, 2])).toBeUndefined();
    expect(errorsOf('default', 'text')).toEqual([{ path: '/', message: 'must be object,array' }]);
  });

  test('agree with validators compiled at start-up from the same schemas', () => {
    const compiled = compileModels(readModelSchemas());
    const inputs = [
      sample,
      { deviceId: 't' },
      { deviceId: 't', readings: [] },
      { deviceId: 't', readings: { timestamp: 'x' } },
      [],
      7,
    ];
    for (const model of validator.models) {
      const runtime = validatorOf(compiled.first, model);
      for (const input of inputs) expect(errorsOf(model, input) === undefined).toBe(runtime(input) === true);
    }
  });
});

describe('date-time in the generated validators', () => {
  const generated = ['firstError.js', 'allErrors.js'].map((file) =>
    readFileSync(join(__dirname, '../../shared/generated', file), 'utf8'),
  );

  test('is the check in shared/validation/formats.ts, not ajv-formats', () => {
    for (const code of generated) {
      expect(code).toContain('require("../validation/formats").formats["date-time"]');
      expect(code).not.toContain('ajv-formats');
    }
  });

  test("createAjv generates it so, keeping the caller's code options", () => {
    const ajv = createAjv(false, { code: { source: true } });
    const code = standaloneCode(ajv, ajv.compile({ type: 'string', format: 'date-time' }));
    expect(code).toContain('require("../validation/formats").formats["date-time"]');
  });

  test.each([
    ['2016-12-31T23:59:60Z', undefined],
    ['2016-12-31t23:59:60.5z', undefined],
    ['2026-11-25 08:10:00+05', undefined],
    ['2023-02-29T08:10:00Z', 'must match format "date-time"'],
    ['2026-11-25T08:10:00', 'must match format "date-time"'],
    ['2026-11-25T24:00:00Z', 'must match format "date-time"'],
  ])('timestamp %j, sentAt and in a reading: %s', (timestamp, message) => {
    const inReading = errorsOf('oil-condition-v1', { deviceId: 't', readings: [{ ...reading, timestamp }] });
    const asSentAt = errorsOf('oil-condition-v1', { deviceId: 't', sentAt: timestamp, readings: reading });
    expect(inReading?.[0]).toEqual(message && { path: '/readings/0/timestamp', message });
    expect(asSentAt).toEqual(message && [{ path: '/sentAt', message }]);
  });
});

describe('compileModels', () => {
  test('a broken schema fails with the model name', () => {
    expect(() =>
      compileModels([
        { model: 'broken', schema: { $id: 'broken', type: 'object', properties: { a: { type: 'nope' } } } },
      ]),
    ).toThrow(/model "broken"/);
  });
  test('strict mode refuses unknown keywords', () => {
    expect(() =>
      compileModels([{ model: 'typo', schema: { $id: 'typo', type: 'object', requird: ['a'] } }]),
    ).toThrow(/strict mode/);
  });
});
