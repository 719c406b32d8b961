import type { ProfilesByModel } from './modelProfile';
import { PayloadValidator, type ValidatorsByModel } from './payloadValidator';

/**
 * The validators emitted by `npm run build` (scripts/build/buildValidators.ts): plain functions, so loading
 * them compiles nothing. esbuild inlines these files into the bundle.
 */
export function loadGeneratedValidator(): PayloadValidator {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const firstError = require('../generated/firstError.js') as ValidatorsByModel;
  const allErrors = require('../generated/allErrors.js') as ValidatorsByModel;
  const profiles = require('../generated/modelProfiles.json') as ProfilesByModel;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new PayloadValidator(firstError, allErrors, profiles);
}
