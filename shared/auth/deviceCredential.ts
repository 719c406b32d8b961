import { RequestError } from '../errors';

const REALM = 'realm="telemetry-ingest"';
// Both schemes we take: some HTTP clients send Basic credentials only once challenged for them.
const BASIC = `Basic ${REALM}, charset="UTF-8"`;

export function missingCredentials(deviceKeyHeader: string): RequestError {
  return new RequestError(
    401,
    'missing_credentials',
    `Send the device key as "Authorization: Bearer <key>", as Basic authentication (user name: the ` +
      `device id, password: the key) or in the "${deviceKeyHeader}" header.`,
    [],
    { 'WWW-Authenticate': `Bearer ${REALM}, ${BASIC}` },
  );
}

export function invalidCredentials(message = 'The device key is not valid.'): RequestError {
  return new RequestError(401, 'invalid_credentials', message, [], {
    'WWW-Authenticate': `Bearer ${REALM}, error="invalid_token", ${BASIC}`,
  });
}

export interface CredentialHeaders {
  authorization: string | null;
  /** The value of the configured device-key header (`DEVICE_KEY_HEADER`, x-device-key by default). */
  deviceKey: string | null;
}

/**
 * The device key a request carries: `Authorization: Bearer <key>`; `Authorization: Basic` with the
 * device id as user name and the key as password; or the configured header, for gateways that can
 * only send fixed header names. Authorization wins when both are sent. Undefined when there is none.
 */
export function credentialFrom(
  deviceId: string,
  { authorization, deviceKey }: CredentialHeaders,
): string | undefined {
  if (!authorization) return deviceKey?.trim() || undefined;
  // Proxies join repeated headers with ", ": two credentials, and no telling which one is meant.
  if (authorization.includes(',')) {
    throw new RequestError(400, 'ambiguous_credentials', 'Send exactly one Authorization header.');
  }
  const [scheme = '', token = '', ...rest] = authorization.trim().split(/ +/);
  // A present but malformed or other-scheme Authorization is a wrong credential, not a missing one.
  if (rest.length > 0) return '';
  if (/^bearer$/i.test(scheme)) return token;
  if (/^basic$/i.test(scheme)) return basicPassword(token, deviceId);
  return '';
}

const BASIC_USAGE = 'Authorization: Basic carries base64("<device id>:<device key>").';

/** RFC 7617: base64 of "user-id:password"; the user id must be the URL's device id. */
function basicPassword(token: string, deviceId: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw invalidCredentials(BASIC_USAGE);
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidCredentials(BASIC_USAGE);
  if (decoded.slice(0, colon) !== deviceId) {
    throw invalidCredentials(`The Basic user name must be the device id in the URL ("${deviceId}").`);
  }
  return decoded.slice(colon + 1);
}

/** Query parameter names that carry credentials by convention (`code` is a Functions key). */
const CREDENTIAL_PARAMETERS = new Set([
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'code',
  'device_key',
  'devicekey',
  'key',
  'password',
  'token',
  'x-device-key',
]);
const DEVICE_KEY_INSIDE = /~[0-9a-f]{8}~[A-Za-z0-9_-]{43}/;

/**
 * A key in the URL's query string is refused, whatever else the request carries: URLs are written
 * to access logs (the platform's, proxies', the gateway's own), so a key sent there is exposed. 401,
 * as for any credential we do not take: the gateway keeps its files, which are fine.
 */
export function refuseKeyInQuery(query: URLSearchParams | null | undefined, deviceKeyHeader: string): void {
  for (const [name, value] of query ?? []) {
    const lower = name.toLowerCase();
    if (!CREDENTIAL_PARAMETERS.has(lower) && lower !== deviceKeyHeader && !DEVICE_KEY_INSIDE.test(value))
      continue;
    throw new RequestError(
      401,
      'key_in_query',
      'Keys are never taken from the URL: URLs are written to access logs, so a key sent there is ' +
        'exposed. Rotate that key, and send the new one in the Authorization header (Bearer or ' +
        `Basic) or in the "${deviceKeyHeader}" header.`,
      [{ path: `query.${name.slice(0, 64)}`, message: 'a credential in the URL' }],
      { 'WWW-Authenticate': `Bearer ${REALM}, ${BASIC}` },
    );
  }
}
