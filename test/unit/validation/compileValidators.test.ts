import { compileModels, validatorOf } from '../../../shared/validation/compileValidators';
import { createAjv } from '../../../shared/validation/createAjv';

/** Two required numbers and a date-time: an empty object breaks three rules at once. */
const schema = {
  $id: 'pair',
  type: 'object',
  required: ['a', 'b'],
  properties: { a: { type: 'number' }, b: { type: 'number' }, at: { type: 'string', format: 'date-time' } },
  'x-telemetry': { readingTimes: '/at' },
};
const bad = { at: 'yesterday' };

describe('createAjv', () => {
  test.each([
    [false, 1],
    [true, 3],
  ])('allErrors %s reports %i error(s)', (allErrors, count) => {
    const validate = createAjv(allErrors).compile(schema);
    expect(validate(bad)).toBe(false);
    expect(validate.errors).toHaveLength(count);
  });

  test('checks date-time, allows a union type, and accepts the x-telemetry annotation', () => {
    const validate = createAjv(true).compile({
      type: ['object', 'array'],
      properties: { at: { type: 'string', format: 'date-time' } },
      'x-telemetry': { readingTimes: '/at' },
    });
    expect([
      validate([]),
      validate({ at: '2026-11-25T08:00:00Z' }),
      validate({ at: 'noon' }),
      validate(1),
    ]).toEqual([true, true, false, false]);
  });

  test('the x-telemetry annotation must be an object', () => {
    expect(() => createAjv(false).compile({ type: 'object', 'x-telemetry': '/readings' })).toThrow(
      /x-telemetry/,
    );
  });

  test('is strict: an unknown keyword does not compile', () => {
    expect(() => createAjv(false).compile({ type: 'object', requird: ['a'] })).toThrow(/strict mode/);
  });
});

describe('compileModels', () => {
  test('`first` stops at the first error, `all` collects every one', () => {
    const { first, all } = compileModels([{ model: 'pair', schema }]);
    const [one, every] = [validatorOf(first, 'pair'), validatorOf(all, 'pair')];
    expect([one(bad), every(bad)]).toEqual([false, false]);
    expect([one.errors?.length, every.errors?.length]).toEqual([1, 3]);
    expect([one({ a: 1, b: 2 }), every({ a: 1, b: 2 })]).toEqual([true, true]);
  });

  test('validatorOf a model that was not compiled names it', () => {
    const { first } = compileModels([{ model: 'pair', schema }]);
    expect(() => validatorOf(first, 'other')).toThrow('No compiled schema for model "other"');
  });

  test('a schema that does not compile fails naming the model and the reason', () => {
    expect(() =>
      compileModels([
        { model: 'broken', schema: { $id: 'broken', type: 'object', properties: { a: { type: 'nope' } } } },
      ]),
    ).toThrow(/^Schema for model "broken" does not compile: .+/);
  });
});
