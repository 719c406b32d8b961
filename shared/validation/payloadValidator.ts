import type { ErrorObject } from 'ajv';
import { type ErrorDetail, ModelNotDeployedError, SchemaValidationError } from '../errors';
import type { ModelProfile, ProfilesByModel } from './modelProfile';

/** The shape of an Ajv validate function, generated as standalone code at build time (or compiled by the bench). */
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
    private readonly profiles: ProfilesByModel = {},
  ) {}

  get models(): Set<string> {
    return new Set(Object.keys(this.firstError));
  }

  /** What the model declares beyond the shape (e.g. where the payload names its device). */
  profile(model: string): ModelProfile | undefined {
    return this.profiles[model];
  }

  /** Throws SchemaValidationError with up to 20 `{path, message}` details. */
  validate(model: string, data: unknown, sizeBytes: number): void {
    const validate = this.firstError[model];
    if (!validate) throw new ModelNotDeployedError(model);
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
