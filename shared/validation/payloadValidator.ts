import type { ErrorObject } from 'ajv';
import { type ErrorDetail, SchemaValidationError } from '../errors';

/** The shape of an Ajv validate function, compiled at start-up or generated as standalone code. */
export interface ValidateFn {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export type ValidatorsByModel = Readonly<Record<string, ValidateFn>>;

export const MAX_REPORTED_ERRORS = 20;
/** Above this size only the first error is reported: collecting all errors is linear in the payload. */
export const EXPLAIN_MAX_BYTES = 256 * 1024;

export class PayloadValidator {
  constructor(
    private readonly firstError: ValidatorsByModel,
    private readonly allErrors: ValidatorsByModel,
  ) {}

  get models(): Set<string> {
    return new Set(Object.keys(this.firstError));
  }

  /** Throws SchemaValidationError with up to 20 `{path, message}` details. */
  validate(model: string, data: unknown, sizeBytes: number): void {
    const validate = this.firstError[model];
    if (!validate) throw new Error(`No validator for model "${model}"`);
    if (validate(data)) return;

    const explain = sizeBytes <= EXPLAIN_MAX_BYTES ? (this.allErrors[model] ?? validate) : validate;
    if (explain !== validate) explain(data);
    throw new SchemaValidationError(model, toDetails(explain.errors ?? []));
  }
}

function toDetails(errors: ErrorObject[]): ErrorDetail[] {
  return errors.slice(0, MAX_REPORTED_ERRORS).map((e) => ({
    path: e.instancePath === '' ? '/' : e.instancePath,
    message: e.message ?? e.keyword,
  }));
}
