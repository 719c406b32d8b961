import type { ErrorObject } from 'ajv';
import { ModelNotDeployedError, SchemaValidationError } from '../../../shared/errors';
import {
  EXPLAIN_MAX_BYTES,
  MAX_REPORTED_ERRORS,
  PayloadValidator,
  type ValidateFn,
} from '../../../shared/validation/payloadValidator';

/** A validator that fails with `count` errors, or passes when count is 0. */
function failingWith(count: number, keyword = 'type'): ValidateFn {
  const validate: ValidateFn = () => {
    validate.errors = Array.from(
      { length: count },
      (_, i) =>
        ({
          instancePath: i === 0 ? '' : `/x/${i}`,
          keyword,
          message: i === 2 ? undefined : `error ${i}`,
        }) as ErrorObject,
    );
    return count === 0;
  };
  return validate;
}

/** What validate() threw: the model and the reported details. */
function rejection(validator: PayloadValidator, size: number) {
  try {
    validator.validate('m', {}, size);
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaValidationError);
    return err as SchemaValidationError;
  }
  throw new Error('expected a SchemaValidationError');
}

describe('PayloadValidator', () => {
  test('knows its models and their profiles', () => {
    const validator = new PayloadValidator(
      { a: failingWith(0), b: failingWith(0) },
      {},
      { a: { deviceId: '/id' } },
    );
    expect(validator.models).toEqual(new Set(['a', 'b']));
    expect([validator.profile('a'), validator.profile('b')]).toEqual([{ deviceId: '/id' }, undefined]);
  });

  test('a valid payload passes', () => {
    expect(() => new PayloadValidator({ m: failingWith(0) }, {}).validate('m', {}, 10)).not.toThrow();
  });

  test("a model without a validator is ours to deploy, not the device's fault", () => {
    expect(() => new PayloadValidator({ m: failingWith(0) }, {}).validate('other', {}, 10)).toThrow(
      new ModelNotDeployedError('other'),
    );
  });

  test.each([
    ['up to the size cap, the explaining validator', EXPLAIN_MAX_BYTES, 5],
    ['above it, the first error only', EXPLAIN_MAX_BYTES + 1, 1],
  ])('reports %s', (_case, size, count) => {
    const err = rejection(new PayloadValidator({ m: failingWith(1) }, { m: failingWith(5) }), size);
    expect(err.schemaId).toBe('m');
    expect(err.details).toHaveLength(count);
  });

  test('details: "/" for the root, the message or else the keyword, at most MAX_REPORTED_ERRORS', () => {
    const err = rejection(
      new PayloadValidator({ m: failingWith(1) }, { m: failingWith(50, 'required') }),
      100,
    );
    expect(err.details).toHaveLength(MAX_REPORTED_ERRORS);
    expect(err.details.slice(0, 3)).toEqual([
      { path: '/', message: 'error 0' },
      { path: '/x/1', message: 'error 1' },
      { path: '/x/2', message: 'required' },
    ]);
  });

  test('a validator that fails without saying why gives no details', () => {
    const silent: ValidateFn = () => false;
    silent.errors = null;
    expect(rejection(new PayloadValidator({ m: silent }, {}), 100).details).toEqual([]);
  });

  test('without an explaining validator the first one explains', () => {
    const err = rejection(new PayloadValidator({ m: failingWith(2) }, {}), 100);
    expect(err.details).toHaveLength(2);
  });
});
