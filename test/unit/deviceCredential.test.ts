import {
  credentialFrom,
  invalidCredentials,
  missingCredentials,
  refuseKeyInQuery,
} from '../../shared/auth/deviceCredential';

const KEY = `truck-1~0123abcd~${'A'.repeat(43)}`;
const basic = (userAndPassword: string) => `Basic ${Buffer.from(userAndPassword).toString('base64')}`;
const from = (authorization: string | null, deviceKey: string | null = null) =>
  credentialFrom('truck-1', { authorization, deviceKey });

describe('credentialFrom', () => {
  test.each([
    ['Bearer', `Bearer ${KEY}`, KEY],
    ['bearer in any case, extra spaces', `  bEaReR   ${KEY}  `, KEY],
    ['Basic: user = the device id, password = the key', basic(`truck-1:${KEY}`), KEY],
    ['Basic in any case', basic(`truck-1:${KEY}`).replace('Basic', 'BASIC'), KEY],
    ['Basic, a password with colons kept whole', basic('truck-1:a:b'), 'a:b'],
    ['Basic, unpadded base64', basic('truck-1:xy').replace(/=+$/, ''), 'xy'],
    ['an empty Bearer (a wrong key, not a missing one)', 'Bearer ', ''],
    ['another scheme', `Digest ${KEY}`, ''],
    ['a scheme and two tokens', `Bearer ${KEY} extra`, ''],
    ['a scheme that only starts like Bearer', `Bearerish ${KEY}`, ''],
    ['a scheme that only ends like Bearer', `NotBearer ${KEY}`, ''],
    [
      'a scheme that only starts like Basic',
      `Basically ${Buffer.from(`truck-1:${KEY}`).toString('base64')}`,
      '',
    ],
    ['a scheme that only ends like Basic', `XBasic ${Buffer.from(`truck-1:${KEY}`).toString('base64')}`, ''],
  ])('%s', (_name, authorization, expected) => {
    expect(from(authorization)).toBe(expected);
  });

  test('the key header when there is no Authorization; Authorization wins over it', () => {
    expect(from(null, ` ${KEY} `)).toBe(KEY);
    expect(from(`Bearer other`, KEY)).toBe('other');
    expect(from(null, '   ')).toBeUndefined();
    expect(from(null, null)).toBeUndefined();
    expect(from('', null)).toBeUndefined();
  });

  test('two Authorization headers joined by a proxy: 400 ambiguous_credentials', () => {
    expect(() => from(`Bearer ${KEY}, Bearer other`)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'ambiguous_credentials',
        message: 'Send exactly one Authorization header.',
      }),
    );
  });

  test('the 401 answers: what to send, and no details', () => {
    expect(missingCredentials('x-api-key')).toMatchObject({
      status: 401,
      message: expect.stringMatching(
        /^Send the device key as "Authorization: Bearer <key>", as Basic .*"x-api-key" header\.$/,
      ),
      details: [],
    });
    expect(invalidCredentials()).toMatchObject({ message: 'The device key is not valid.', details: [] });
  });

  test.each([
    [
      'another device id as user name',
      basic(`truck-2:${KEY}`),
      /user name must be the device id in the URL \("truck-1"\)/,
    ],
    ['no colon', basic(`truck-1${KEY}`), /base64\("<device id>:<device key>"\)/],
    ['not base64', 'Basic truck-1:key', /base64/],
    [
      'a stray character before the base64',
      `Basic !${Buffer.from(`truck-1:${KEY}`).toString('base64')}`,
      /base64/,
    ],
    [
      'a stray character after the base64',
      `Basic ${Buffer.from(`truck-1:${KEY}`).toString('base64')}!`,
      /base64/,
    ],
    [
      'a stray character inside the base64',
      `Basic dHJ1!${Buffer.from(`ck-1:${KEY}`).toString('base64')}`,
      /base64/,
    ],
    ['an empty user name', basic(`:${KEY}`), /user name must be the device id/],
    ['nothing after the scheme', 'Basic', /base64/],
  ])('Basic with %s: 401 invalid_credentials saying what is expected', (_name, authorization, message) => {
    expect(() => from(authorization)).toThrow(
      expect.objectContaining({
        status: 401,
        code: 'invalid_credentials',
        message: expect.stringMatching(message),
        headers: { 'WWW-Authenticate': expect.stringMatching(/^Bearer .*error="invalid_token".*, Basic /) },
      }),
    );
  });
});

describe('refuseKeyInQuery', () => {
  const query = (q: string) => new URLSearchParams(q);

  test.each([
    ['key=x', 'key'],
    ['code=abc', 'code'],
    ['access_token=t', 'access_token'],
    ['API_KEY=1', 'API_KEY'],
    ['apikey=1', 'apikey'],
    ['Authorization=Bearer%20x', 'Authorization'],
    ['device_key=1', 'device_key'],
    ['deviceKey=1', 'deviceKey'],
    ['password=p', 'password'],
    ['token=t', 'token'],
    ['x-device-key=k', 'x-device-key'],
    ['X-Api-Key=k', 'X-Api-Key'],
    [`note=${KEY}`, 'note'],
    [`a=1&b=Bearer%20${KEY}`, 'b'],
  ])('%s: 401 key_in_query, saying why and what to do', (q, name) => {
    expect(() => refuseKeyInQuery(query(q), 'x-api-key')).toThrow(
      expect.objectContaining({
        status: 401,
        code: 'key_in_query',
        message: expect.stringMatching(/access logs.*Rotate that key.*"x-api-key"/),
        details: [{ path: `query.${name}`, message: 'a credential in the URL' }],
        headers: {
          'WWW-Authenticate':
            'Bearer realm="telemetry-ingest", Basic realm="telemetry-ingest", charset="UTF-8"',
        },
      }),
    );
  });

  test.each(['', 'sequence=7', 'note=truck-1~abc', 'keys=1'])('%j is left alone', (q) => {
    expect(() => refuseKeyInQuery(query(q), 'x-device-key')).not.toThrow();
  });

  test('a long parameter name is cut to 64 characters in the details', () => {
    const name = 'n'.repeat(100);
    expect(() => refuseKeyInQuery(query(`${name}=${KEY}`), 'x-device-key')).toThrow(
      expect.objectContaining({
        details: [{ path: `query.${'n'.repeat(64)}`, message: 'a credential in the URL' }],
      }),
    );
  });

  test('no query at all is fine', () => {
    expect(() => refuseKeyInQuery(undefined, 'x-device-key')).not.toThrow();
    expect(() => refuseKeyInQuery(null, 'x-device-key')).not.toThrow();
  });
});
