import {
  ConfigurationError,
  IdempotencyKeyReuseError,
  ModelNotDeployedError,
  RequestError,
  SchemaValidationError,
  StorageUnavailableError,
  StoredBlobMismatchError,
  describeError,
} from '../../shared/errors';

describe('the error classes', () => {
  test.each<[Error, string, string, string]>([
    [
      new RequestError(415, 'unsupported_media_type', 'Use JSON.'),
      'RequestError',
      'unsupported_media_type',
      'Use JSON.',
    ],
    [
      new SchemaValidationError('m1', []),
      'SchemaValidationError',
      'schema_validation',
      'The payload does not match schema "m1".',
    ],
    [
      new IdempotencyKeyReuseError(),
      'IdempotencyKeyReuseError',
      'idempotency_key_reuse',
      'This Idempotency-Key was already used for a different payload; use a new key for new data.',
    ],
    [
      new StorageUnavailableError('blob.upload', undefined),
      'StorageUnavailableError',
      'storage_unavailable',
      'Storage operation "blob.upload" failed.',
    ],
    [
      new ModelNotDeployedError('m9'),
      'ModelNotDeployedError',
      'model_not_deployed',
      'Device model "m9" is not in this deployment.',
    ],
    [
      new StoredBlobMismatchError('d/x.json'),
      'StoredBlobMismatchError',
      'stored_blob_mismatch',
      'Blob "d/x.json" does not hold the bytes its entry records.',
    ],
    [
      new ConfigurationError('MAX_BODY_BYTES', 'too big'),
      'ConfigurationError',
      'configuration_error',
      'Invalid setting MAX_BODY_BYTES: too big',
    ],
  ])('%p is named after its class, with its code and message', (err, name, code, message) => {
    expect(err).toMatchObject({ name, code, message });
  });

  test('a RequestError has no details or headers unless given', () => {
    expect(new RequestError(400, 'x', 'm')).toMatchObject({ status: 400, details: [], headers: {} });
  });
});

describe('describeError: what may be logged', () => {
  test.each<[string, unknown, string]>([
    ['our error without a cause', new RequestError(400, 'invalid_json', 'm'), 'RequestError[invalid_json]'],
    [
      'our error with a cause, followed down the chain',
      new StorageUnavailableError('table.get', new StorageUnavailableError('inner', new TypeError('x'))),
      'StorageUnavailableError[storage_unavailable] (cause: StorageUnavailableError[storage_unavailable] (cause: TypeError))',
    ],
    [
      'a missing model, with its name',
      new ModelNotDeployedError('oil-v9'),
      'ModelNotDeployedError[model_not_deployed]: Device model "oil-v9" is not in this deployment.',
    ],
    [
      'a blob that does not match, with its name',
      new StoredBlobMismatchError('d/x.json'),
      'StoredBlobMismatchError[stored_blob_mismatch]: Blob "d/x.json" does not hold the bytes its entry records.',
    ],
    [
      'an SDK error: name, code and status only',
      Object.assign(new Error('https://a?sig=S'), { name: 'RestError', code: 'X', statusCode: 500 }),
      'RestError:X:500',
    ],
    [
      'a code that is not a string, a status that is not a number',
      Object.assign(new Error('m'), { code: 7, statusCode: '500' }),
      'Error',
    ],
    ['something that is not an Error', { message: 'secret' }, 'object'],
    ['a string', 'secret', 'string'],
  ])('%s', (_case, err, line) => {
    expect(describeError(err)).toBe(line);
  });
});
