/**
 * Child of the validator cold-start measure: makes the validators ready once in this fresh process,
 * either by loading the standalone code generated at build time or by compiling the schemas with
 * Ajv, and prints the milliseconds it took.
 */
import { compileModels, validatorOf } from '../../../shared/validation/compileValidators';
import { loadGeneratedValidator } from '../../../shared/validation/generatedValidators';
import { readModelSchemas } from '../../../shared/validation/modelSchemas';

const started = process.hrtime.bigint();
if (process.argv[2] === 'compile') {
  const compiled = compileModels(readModelSchemas());
  for (const { model } of readModelSchemas()) validatorOf(compiled.first, model);
} else {
  loadGeneratedValidator();
}
console.log(Number(process.hrtime.bigint() - started) / 1e6);
