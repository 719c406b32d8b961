import {
  IdempotencyKeyReuseError,
  IncompleteBodyError,
  ModelNotDeployedError,
  RequestError,
  SchemaValidationError,
  StorageUnavailableError,
  StoredBlobMismatchError,
  describeError,
} from '../../shared/errors';
import { errorToHttp, outcomeToHttp } from '../../shared/toHttpResponse';

describe('errorToHttp: the one error-to-HTTP mapping', () => {
  test.each([
    [new RequestError(415, 'unsupported_media_type', 'm'), 415, 'unsupported_media_type'],
    [
      new SchemaValidationError('oil-condition-v1', [{ path: '/a', message: 'must be number' }]),
      400,
      'schema_validation',
    ],
    [new IdempotencyKeyReuseError(), 422, 'idempotency_key_reuse'],
    [new StorageUnavailableError('blob.upload', new Error('x')), 503, 'storage_unavailable'],
    [new TypeError('bug'), 500, 'internal_error'],
    ['a string', 500, 'internal_error'],
  ])('%p -> %i %s', (err, status, code) => {
    const answer = errorToHttp(err, 9);
    expect(answer.status).toBe(status);
    expect(answer.jsonBody).toMatchObject({
      error: code,
      message: expect.any(String),
      details: expect.any(Array),
    });
    if (status >= 500) expect(answer.headers['Retry-After']).toBe('9');
  });

  test.each(['incomplete_body', 'body_timeout'] as const)(
    'a body that did not arrive whole (%s) is 408 with Retry-After and Connection: close, its message kept',
    (code) => {
      expect(errorToHttp(new IncompleteBodyError(code, 'Send it again.'), 9)).toEqual({
        status: 408,
        headers: { Connection: 'close', 'Retry-After': '9' },
        jsonBody: { error: code, message: 'Send it again.', details: [] },
      });
    },
  );

  test('schema errors carry the schema id and Ajv details', () => {
    const answer = errorToHttp(new SchemaValidationError('m1', [{ path: '/x', message: 'bad' }]), 5);
    expect(answer.jsonBody).toMatchObject({ schemaId: 'm1', details: [{ path: '/x', message: 'bad' }] });
  });

  test('405 carries Allow', () => {
    expect(
      errorToHttp(new RequestError(405, 'method_not_allowed', 'm', [], { Allow: 'POST' }), 5).headers,
    ).toEqual({ Allow: 'POST' });
  });

  test('storage messages are never echoed, in the answer or in describeError', () => {
    const leaky = Object.assign(new Error('PUT https://acct.blob.core.windows.net/raw/x?sig=SECRET failed'), {
      name: 'RestError',
      code: 'AuthenticationFailed',
      statusCode: 403,
    });
    const err = new StorageUnavailableError('blob.upload', leaky);
    expect(JSON.stringify(errorToHttp(err, 5))).not.toMatch(/SECRET|acct/);
    expect(describeError(err)).toBe(
      'StorageUnavailableError[storage_unavailable] (cause: RestError:AuthenticationFailed:403)',
    );
  });
});

describe('errorToHttp: our faults say "retry later" and nothing more', () => {
  test.each<[string, unknown, number, Record<string, unknown>]>([
    [
      'storage',
      new StorageUnavailableError('blob.upload', new Error('https://a?sig=S')),
      503,
      {
        error: 'storage_unavailable',
        message: 'Storage is unavailable; nothing was acknowledged. Keep the file and retry later.',
        details: [],
      },
    ],
    [
      'a model this deployment lacks',
      new ModelNotDeployedError('oil-v9'),
      500,
      {
        error: 'model_not_deployed',
        message: 'Device model "oil-v9" is not in this deployment. Keep the file and retry later.',
        details: [],
      },
    ],
    [
      'a stored blob that does not match its entry',
      new StoredBlobMismatchError('d/x.json'),
      500,
      {
        error: 'stored_blob_mismatch',
        message: 'Blob "d/x.json" does not hold the bytes its entry records. Keep the file and retry later.',
        details: [],
      },
    ],
    [
      'anything else',
      new TypeError('secret'),
      500,
      {
        error: 'internal_error',
        message: 'Unexpected server error; keep the file and retry later.',
        details: [],
      },
    ],
  ])('%s', (_case, err, status, jsonBody) => {
    expect(errorToHttp(err, 7)).toEqual({ status, headers: { 'Retry-After': '7' }, jsonBody });
  });

  test('a device fault is its own status, headers and body, without a schema id unless it is a schema error', () => {
    const err = new RequestError(
      401,
      'invalid_credentials',
      'The device key is not valid.',
      [{ message: 'm' }],
      {
        'WWW-Authenticate': 'Bearer',
      },
    );
    expect(errorToHttp(err, 7)).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
      jsonBody: {
        error: 'invalid_credentials',
        message: 'The device key is not valid.',
        details: [{ message: 'm' }],
      },
    });
  });
});

describe('outcomeToHttp', () => {
  const outcome = {
    container: 'raw',
    blobName: 'd/2026/11/25/1Z_k.json',
    sha256: 'ab',
    sizeBytes: 2,
    receivedAt: '2026-11-25T00:00:00.000Z',
    schemaId: 'default',
  };
  test('stored: 200 without the replay header', () => {
    expect(outcomeToHttp({ ...outcome, status: 'stored' })).toEqual({
      status: 200,
      headers: {},
      jsonBody: {
        status: 'stored',
        container: 'raw',
        blob: outcome.blobName,
        sha256: 'ab',
        size: 2,
        receivedAt: outcome.receivedAt,
        schemaId: 'default',
      },
    });
  });
  test('duplicate: 200 with Idempotent-Replayed', () => {
    expect(outcomeToHttp({ ...outcome, status: 'duplicate' }).headers).toEqual({
      'Idempotent-Replayed': 'true',
    });
  });
});
