import type Ajv from 'ajv';
import type { AnyValidateFunction } from 'ajv/dist/core';
import { createAjv } from './createAjv';
import type { ModelSchema } from './modelSchemas';

export interface CompiledModels {
  /** Stops at the first error: the path every request takes. */
  first: Ajv;
  /** Collects all errors: only run to explain a rejection. */
  all: Ajv;
}

/**
 * Compiles every model schema in both modes. Used by the build (to emit standalone code) and by the
 * benchmark; a broken schema throws here, naming the model, so it fails the build, not a request.
 */
export function compileModels(
  schemas: ModelSchema[],
  options: { code?: { source: boolean } } = {},
): CompiledModels {
  const first = createAjv(false, options);
  const all = createAjv(true, options);
  for (const { model, schema } of schemas) {
    for (const ajv of [first, all]) {
      try {
        ajv.addSchema(schema);
        ajv.getSchema(model);
      } catch (err) {
        throw new Error(`Schema for model "${model}" does not compile: ${(err as Error).message}`);
      }
    }
  }
  return { first, all };
}

export function validatorOf(ajv: Ajv, model: string): AnyValidateFunction {
  const validate = ajv.getSchema(model);
  if (!validate) throw new Error(`No compiled schema for model "${model}"`);
  return validate;
}
