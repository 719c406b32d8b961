import Ajv, { _, type Options } from 'ajv';
import { formats } from './formats';
import { PROFILE_KEYWORD } from './modelProfile';

/**
 * How the generated validators (shared/generated/*.js) reach the formats: Ajv writes this expression
 * followed by `["<format>"]` where a schema uses one, so the path is relative to shared/generated/.
 */
const FORMATS_MODULE = _`require("../validation/formats").formats`;

/**
 * One Ajv configuration for the build's code generation and the bench's compile-at-load comparison, so both validate alike.
 * `allErrors` is only used by the second, explaining validator: the first one stops at the first
 * error, so a hostile payload cannot make the common path do more work than a valid one.
 */
export function createAjv(allErrors: boolean, options: Options = {}): Ajv {
  const ajv = new Ajv({
    strict: true,
    // `["object", "array"]` is a deliberate union in the permissive default model.
    allowUnionTypes: true,
    // "at least one measurement" is anyOf-of-required, which this check cannot follow into anyOf.
    strictRequired: false,
    allErrors,
    ...options,
    code: { ...options.code, formats: FORMATS_MODULE },
  });
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
  // The model's profile (see modelProfile.ts): an annotation, not a validation keyword.
  ajv.addKeyword({ keyword: PROFILE_KEYWORD, schemaType: 'object' });
  return ajv;
}
