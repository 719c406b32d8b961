import { isDateTime } from './dateTime';

/**
 * The `format`s a model schema may use, by name. Ajv is given them (createAjv), and the validators
 * generated at build time `require` this module for them, so both call the same functions. A format
 * not listed here fails the build (Ajv's strict mode): add its check here, with a test that it
 * accepts what JSON Schema's definition does.
 */
export const formats = {
  // Exactly ajv-formats' full mode, without its regular expressions and string splitting.
  'date-time': isDateTime,
} as const;
