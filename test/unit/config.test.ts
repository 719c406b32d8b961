import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { loadConfig } from '../../shared/config';
import { credentialFor } from '../../shared/storage/clients';

const local = { DATA_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig(local)).toEqual({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      rawContainer: 'raw',
      exportsContainer: 'table-exports',
      idempotencyTable: 'idempotency',
      maxBodyBytes: 10 * 1024 * 1024,
      bodyIdleTimeoutMs: 30_000,
      bodyReadTimeoutMs: 200_000,
      storageTimeoutMs: 10_000,
      retryAfterSeconds: 5,
      deviceModelsOverride: undefined,
      authEnabled: true,
      devicesTable: 'devices',
      deviceCacheTtlMs: 60_000,
      rateLimitPerMinute: 600,
      rateLimitBurst: 60,
      authFailuresPerMinute: 30,
      authFailureBurst: 30,
      deviceKeyHeader: 'x-device-key',
      maxJsonDepth: 64,
      sweepSchedule: '0 */5 * * * *',
      sweepOrphanAfterMs: 6 * 3_600_000,
      smokeDevices: ['smoke-*'],
    });
  });

  test.each([
    ['smoke-1, probe-*', ['smoke-1', 'probe-*']],
    ['-', []],
  ])('SMOKE_DEVICES %j', (value, expected) => {
    expect(loadConfig({ ...local, SMOKE_DEVICES: value }).smokeDevices).toEqual(expected);
  });

  test('DEVICE_KEY_HEADER is any other header name, lowercased; timeouts are read in seconds', () => {
    const config = loadConfig({
      ...local,
      DEVICE_KEY_HEADER: ' X-Api-Key ',
      BODY_IDLE_TIMEOUT_SECONDS: '5',
      BODY_READ_TIMEOUT_SECONDS: '90',
    });
    expect(config).toMatchObject({
      deviceKeyHeader: 'x-api-key',
      bodyIdleTimeoutMs: 5_000,
      bodyReadTimeoutMs: 90_000,
    });
  });

  test('INGEST_AUTH=off is accepted on a developer machine', () => {
    expect(loadConfig({ ...local, INGEST_AUTH: 'OFF' }).authEnabled).toBe(false);
  });

  test('keyless in Azure: account name -> endpoints + managed identity client id', () => {
    const env = {
      DATA_STORAGE_ACCOUNT_NAME: 'stdata01',
      AZURE_CLIENT_ID: 'abc',
      WEBSITE_SITE_NAME: 'func-x',
    };
    expect(loadConfig(env).storage).toEqual({
      kind: 'identity',
      blobEndpoint: 'https://stdata01.blob.core.windows.net',
      tableEndpoint: 'https://stdata01.table.core.windows.net',
      managedIdentityClientId: 'abc',
    });
  });

  test("off the platform AZURE_CLIENT_ID is a developer's or pipeline's sign-in, not a managed identity", () => {
    const env = { DATA_STORAGE_ACCOUNT_NAME: 'stdata01', AZURE_CLIENT_ID: 'abc', AZURE_CLIENT_SECRET: 's' };
    expect(loadConfig(env).storage).toMatchObject({ kind: 'identity', managedIdentityClientId: undefined });
  });

  test('explicit endpoints (sovereign clouds, Bicep outputs) win over the account name', () => {
    const config = loadConfig({
      DATA_STORAGE_ACCOUNT_NAME: 'stdata01',
      DATA_STORAGE_BLOB_ENDPOINT: 'https://stdata01.blob.core.chinacloudapi.cn/',
      DATA_STORAGE_TABLE_ENDPOINT: 'https://stdata01.table.core.chinacloudapi.cn/',
    });
    expect(config.storage).toMatchObject({
      blobEndpoint: 'https://stdata01.blob.core.chinacloudapi.cn',
      tableEndpoint: 'https://stdata01.table.core.chinacloudapi.cn',
    });
  });

  test.each([
    [{}, /DATA_STORAGE_CONNECTION_STRING/],
    [{ DATA_STORAGE_ACCOUNT_NAME: 'Bad_Name' }, /DATA_STORAGE_ACCOUNT_NAME/],
    [{ ...local, RAW_CONTAINER: 'Raw_Data' }, /RAW_CONTAINER/],
    [{ ...local, TABLE_EXPORTS_CONTAINER: 'Exports' }, /TABLE_EXPORTS_CONTAINER/],
    [{ ...local, IDEMPOTENCY_TABLE: 'idem-potency' }, /IDEMPOTENCY_TABLE/],
    [{ ...local, MAX_BODY_BYTES: 'ten' }, /MAX_BODY_BYTES/],
    [{ ...local, MAX_BODY_BYTES: '0' }, /MAX_BODY_BYTES/],
    [{ ...local, STORAGE_TIMEOUT_MS: '1.5' }, /STORAGE_TIMEOUT_MS/],
    [{ ...local, RETRY_AFTER_SECONDS: '-1' }, /RETRY_AFTER_SECONDS/],
    [{ ...local, INGEST_AUTH: 'maybe' }, /INGEST_AUTH/],
    [
      { ...local, INGEST_AUTH: 'off', WEBSITE_SITE_NAME: 'func-ingest' },
      /INGEST_AUTH: device authentication cannot be turned off in Azure/,
    ],
    [{ ...local, DEVICES_TABLE: 'dev_ices' }, /DEVICES_TABLE/],
    [{ ...local, DEVICE_CACHE_TTL_SECONDS: '9999' }, /DEVICE_CACHE_TTL_SECONDS/],
    [{ ...local, RATE_LIMIT_BURST: '0' }, /RATE_LIMIT_BURST/],
    [{ ...local, BODY_IDLE_TIMEOUT_SECONDS: '0' }, /BODY_IDLE_TIMEOUT_SECONDS/],
    [{ ...local, BODY_READ_TIMEOUT_SECONDS: '3601' }, /BODY_READ_TIMEOUT_SECONDS/],
    [
      { ...local, DEVICE_KEY_HEADER: 'x device key' },
      /DEVICE_KEY_HEADER: "x device key" is not an HTTP header name/,
    ],
    [
      { ...local, DEVICE_KEY_HEADER: 'Authorization' },
      /DEVICE_KEY_HEADER: "authorization" has a meaning of its own/,
    ],
    [{ ...local, DEVICE_KEY_HEADER: 'x-ms-client-principal' }, /DEVICE_KEY_HEADER/],
    [{ ...local, DEVICE_KEY_HEADER: 'X-Forwarded-For' }, /DEVICE_KEY_HEADER/],
    [
      { ...local, SMOKE_DEVICES: 'smoke-*,bad/id' },
      /SMOKE_DEVICES: "bad\/id" is not a device id or "prefix\*"/,
    ],
    [{ ...local, SMOKE_DEVICES: '*' }, /SMOKE_DEVICES/],
    [
      { DATA_STORAGE_ACCOUNT_NAME: 'stdata01', DATA_STORAGE_BLOB_ENDPOINT: 'ftp://x' },
      /DATA_STORAGE_BLOB_ENDPOINT/,
    ],
  ])('%j fails naming the setting', (env, setting) => {
    expect(() => loadConfig(env)).toThrow(setting);
  });

  describe('INGEST_AUTH=off only against the local storage emulator', () => {
    const azurite = (host: string) =>
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;' +
      `BlobEndpoint=http://${host}:10000/devstoreaccount1;TableEndpoint=http://${host}:10002/devstoreaccount1;`;
    const off = (storage: Record<string, string>) => loadConfig({ ...storage, INGEST_AUTH: 'off' });

    test.each([
      ['UseDevelopmentStorage=true', 'UseDevelopmentStorage=true'],
      ['UseDevelopmentStorage=true with a trailing ;', 'UseDevelopmentStorage=true;'],
      ['Azurite on 127.0.0.1', azurite('127.0.0.1')],
      ['Azurite on another 127/8 address', azurite('127.3.2.1')],
      ['Azurite on localhost', azurite('localhost')],
      ['Azurite on [::1]', azurite('[::1]')],
      [
        'a SAS connection string to loopback',
        'BlobEndpoint=http://127.0.0.1:10000/a;TableEndpoint=http://127.0.0.1:10002/a;SharedAccessSignature=sv=1',
      ],
    ])('accepted: %s', (_name, connectionString) => {
      expect(off({ DATA_STORAGE_CONNECTION_STRING: connectionString }).authEnabled).toBe(false);
    });

    const refusal = /INGEST_AUTH: "off" is allowed only with the local storage emulator/;
    test.each([
      [
        'a real account connection string',
        'DefaultEndpointsProtocol=https;AccountName=stdata01;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      ],
      [
        'explicit endpoints of a real account',
        'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=a2V5;' +
          'BlobEndpoint=https://x.blob.core.windows.net;TableEndpoint=https://x.table.core.windows.net',
      ],
      [
        'a loopback blob endpoint but a real table endpoint',
        'AccountName=x;AccountKey=a2V5;DefaultEndpointsProtocol=http;' +
          'BlobEndpoint=http://127.0.0.1:10000/x;TableEndpoint=https://x.table.core.windows.net',
      ],
      [
        'a loopback blob endpoint and no table endpoint (the SDK derives a real one)',
        'DefaultEndpointsProtocol=http;AccountName=x;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/x',
      ],
      ['a host that only starts like loopback', azurite('127.0.0.1.example.com')],
      ['user info in front of a real host', azurite('127.0.0.1@x.blob.core.windows.net')],
      ['localhost as a subdomain', azurite('localhost.example.com')],
      [
        'an endpoint repeated (the SDKs disagree on which wins)',
        `${azurite('127.0.0.1')};BlobEndpoint=https://x.blob.core.windows.net`,
      ],
      [
        'an endpoint key spelled differently (one SDK ignores it)',
        azurite('127.0.0.1').replace('BlobEndpoint=http://127.0.0.1', 'blobendpoint=http://127.0.0.1'),
      ],
      [
        'UseDevelopmentStorage=true through a proxy',
        'UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://proxy.example.com',
      ],
      ['UseDevelopmentStorage=true not first', 'AccountName=x;UseDevelopmentStorage=true'],
    ])('refused: %s', (_name, connectionString) => {
      expect(() => off({ DATA_STORAGE_CONNECTION_STRING: connectionString })).toThrow(refusal);
    });

    test('refused for an account reached with Entra ID (account name)', () => {
      expect(() => off({ DATA_STORAGE_ACCOUNT_NAME: 'stdata01' })).toThrow(
        /INGEST_AUTH: "off" is allowed only with the local storage emulator, not with a storage account reached with Entra ID/,
      );
    });

    test('refused for an account reached with Entra ID (explicit endpoints, even loopback ones)', () => {
      for (const host of ['x', '127.0.0.1']) {
        const blob = host === 'x' ? 'https://x.blob.core.windows.net' : 'http://127.0.0.1:10000/a';
        const table = host === 'x' ? 'https://x.table.core.windows.net' : 'http://127.0.0.1:10002/a';
        expect(() => off({ DATA_STORAGE_BLOB_ENDPOINT: blob, DATA_STORAGE_TABLE_ENDPOINT: table })).toThrow(
          /INGEST_AUTH: .*Entra ID/,
        );
      }
    });

    test('refused in Azure even with the emulator configured', () => {
      expect(() => off({ ...local, WEBSITE_SITE_NAME: 'func-ingest' })).toThrow(
        /INGEST_AUTH: device authentication cannot be turned off in Azure/,
      );
    });

    test('INGEST_AUTH=on works with any storage', () => {
      expect(loadConfig({ DATA_STORAGE_ACCOUNT_NAME: 'stdata01', INGEST_AUTH: 'on' }).authEnabled).toBe(true);
    });
  });
});

describe('loadConfig: each setting, its bounds and its message', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig({ ...local, ...env });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(env)}`);
  };

  /** setting, config field, smallest and largest value accepted, and the unit the field is in. */
  test.each<[string, keyof ReturnType<typeof loadConfig>, number, number, number]>([
    ['MAX_BODY_BYTES', 'maxBodyBytes', 1, 100 * 1024 * 1024, 1],
    ['STORAGE_TIMEOUT_MS', 'storageTimeoutMs', 100, 120_000, 1],
    ['RETRY_AFTER_SECONDS', 'retryAfterSeconds', 1, 3600, 1],
    ['DEVICE_CACHE_TTL_SECONDS', 'deviceCacheTtlMs', 0, 3600, 1000],
    ['RATE_LIMIT_PER_MINUTE', 'rateLimitPerMinute', 0, 1_000_000, 1],
    ['RATE_LIMIT_BURST', 'rateLimitBurst', 1, 100_000, 1],
    ['AUTH_FAILURES_PER_MINUTE', 'authFailuresPerMinute', 0, 100_000, 1],
    ['AUTH_FAILURE_BURST', 'authFailureBurst', 1, 100_000, 1],
    ['MAX_JSON_DEPTH', 'maxJsonDepth', 2, 1000, 1],
  ])('%s sets %s, from %i to %i', (name, field, min, max, unit) => {
    expect(loadConfig({ ...local, [name]: String(min) })[field]).toBe(min * unit);
    expect(loadConfig({ ...local, [name]: ` ${max} ` })[field]).toBe(max * unit);
    for (const bad of [String(min - 1), String(max + 1), `${min}.5`, 'ten']) {
      expect(refusal({ [name]: bad })).toBe(
        `Invalid setting ${name}: expected an integer from ${min} to ${max}, got "${bad}"`,
      );
    }
  });

  test('a blank setting is an absent one', () => {
    expect(loadConfig({ ...local, MAX_BODY_BYTES: '  ', RAW_CONTAINER: ' ', INGEST_AUTH: '' })).toMatchObject(
      {
        maxBodyBytes: 10 * 1024 * 1024,
        rawContainer: 'raw',
        authEnabled: true,
      },
    );
  });

  test.each([
    ['RAW_CONTAINER', 'rawContainer', ' raw-data ', 'raw-data'],
    ['RAW_CONTAINER', 'rawContainer', 'abc', 'abc'],
    ['RAW_CONTAINER', 'rawContainer', 'a'.repeat(63), 'a'.repeat(63)],
    ['IDEMPOTENCY_TABLE', 'idempotencyTable', 'Idem2', 'Idem2'],
    ['DEVICES_TABLE', 'devicesTable', 'abc', 'abc'],
    ['DEVICES_TABLE', 'devicesTable', `D${'x'.repeat(62)}`, `D${'x'.repeat(62)}`],
  ])('%s=%j is accepted (trimmed)', (name, field, value, expected) => {
    expect(loadConfig({ ...local, [name]: value })[field as 'rawContainer']).toBe(expected);
  });

  test.each([
    ['RAW_CONTAINER', 'ab', 'a blob container name'],
    ['RAW_CONTAINER', 'a'.repeat(64), 'a blob container name'],
    ['RAW_CONTAINER', 'raw--data', 'a blob container name'],
    ['RAW_CONTAINER', '-raw', 'a blob container name'],
    ['RAW_CONTAINER', 'raw-', 'a blob container name'],
    ['RAW_CONTAINER', 'raw-data!', 'a blob container name'],
    ['IDEMPOTENCY_TABLE', '1dem', 'a table name'],
    ['IDEMPOTENCY_TABLE', 'ab', 'a table name'],
    ['DEVICES_TABLE', 'devices!', 'a table name'],
    ['DEVICES_TABLE', `D${'x'.repeat(63)}`, 'a table name'],
  ])('%s=%j is refused: not %s', (name, value, what) => {
    expect(refusal({ [name]: value })).toBe(`Invalid setting ${name}: "${value}" is not ${what}`);
  });

  test('INGEST_AUTH other than on/off is refused, quoting it lower-cased', () => {
    expect(refusal({ INGEST_AUTH: 'Maybe' })).toBe(
      'Invalid setting INGEST_AUTH: expected "on" or "off", got "maybe"',
    );
  });

  test('DEVICE_MODELS is kept as given, trimmed, for the device map to parse', () => {
    expect(loadConfig({ ...local, DEVICE_MODELS: ' {"devices":{}} ' }).deviceModelsOverride).toBe(
      '{"devices":{}}',
    );
  });
});

describe('loadConfig: the storage connection', () => {
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(env)}`);
  };

  test('nothing, or only one endpoint, names the connection string and the keyless way', () => {
    const expected =
      'Invalid setting DATA_STORAGE_CONNECTION_STRING: set it (e.g. UseDevelopmentStorage=true for Azurite), ' +
      'or DATA_STORAGE_ACCOUNT_NAME for keyless access in Azure';
    expect(message({})).toBe(expected);
    expect(message({ DATA_STORAGE_BLOB_ENDPOINT: 'https://x.blob.core.windows.net' })).toBe(expected);
    expect(message({ DATA_STORAGE_TABLE_ENDPOINT: 'https://x.table.core.windows.net' })).toBe(expected);
  });

  test('both endpoints without an account name are enough; trailing slashes go', () => {
    expect(
      loadConfig({
        DATA_STORAGE_BLOB_ENDPOINT: 'http://127.0.0.1:10000/devstoreaccount1//',
        DATA_STORAGE_TABLE_ENDPOINT: 'https://x.table.core.windows.net/',
      }).storage,
    ).toEqual({
      kind: 'identity',
      blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      tableEndpoint: 'https://x.table.core.windows.net',
      managedIdentityClientId: undefined,
    });
  });

  test.each(['abc', 'a'.repeat(24), 'stdata01'])('account name %j is accepted', (name) => {
    expect(loadConfig({ DATA_STORAGE_ACCOUNT_NAME: name }).storage).toMatchObject({
      blobEndpoint: `https://${name}.blob.core.windows.net`,
    });
  });

  test.each(['ab', 'a'.repeat(25), 'stdata_01', 'stData01'])('account name %j is refused', (name) => {
    expect(message({ DATA_STORAGE_ACCOUNT_NAME: name })).toBe(
      'Invalid setting DATA_STORAGE_ACCOUNT_NAME: expected 3-24 lowercase letters and digits',
    );
  });

  test.each([
    ['DATA_STORAGE_BLOB_ENDPOINT', 'ftp://x.blob.core.windows.net'],
    ['DATA_STORAGE_TABLE_ENDPOINT', 'x.table.core.windows.net'],
  ])('%s=%j is refused: not an http(s) URL', (name, value) => {
    expect(message({ DATA_STORAGE_ACCOUNT_NAME: 'stdata01', [name]: value })).toBe(
      `Invalid setting ${name}: "${value}" is not an http(s) URL`,
    );
  });
});

describe('INGEST_AUTH=off: what counts as the local emulator', () => {
  const off = (connectionString: string) =>
    loadConfig({ DATA_STORAGE_CONNECTION_STRING: connectionString, INGEST_AUTH: 'off' }).authEnabled;
  const endpoints = (blob: string, table = 'http://127.0.0.1:10002/a') =>
    `BlobEndpoint=${blob};TableEndpoint=${table}`;

  test.each([
    ['spaces around the parts', ' UseDevelopmentStorage=true ; '],
    ['spaces after each ;', `AccountName=a; ${endpoints('http://127.0.0.1:10000/a').replace(';', '; ')}`],
    [
      "Azurite's full connection string (queue endpoint included)",
      `DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;${endpoints('http://127.0.0.1:10000/a')};QueueEndpoint=http://127.0.0.1:10001/a`,
    ],
    [
      'a file endpoint and an endpoint suffix',
      `${endpoints('http://127.0.0.1:10000/a')};FileEndpoint=http://127.0.0.1:1/a;EndpointSuffix=local`,
    ],
    ['https on loopback', endpoints('https://127.0.0.1:10000/a', 'https://localhost:10002/a')],
    ['a loopback address with several digits in each part', endpoints('http://127.10.20.30:10000/a')],
  ])('accepted: %s', (_case, connectionString) => {
    expect(off(connectionString)).toBe(false);
  });

  test.each([
    ['the emulator named twice', 'UseDevelopmentStorage=true;UseDevelopmentStorage=true'],
    ['a part without "=" (a colon typed for it)', `AccountName:;${endpoints('http://127.0.0.1:10000/a')}`],
    ['one part that is not the emulator', 'BlobEndpoint=http://127.0.0.1:10000/a'],
    ['ftp on loopback', endpoints('ftp://127.0.0.1:10000/a')],
    ['an endpoint that is not a URL', endpoints('127.0.0.1:10000')],
    ['an empty endpoint', endpoints('')],
    ['a host ending like a loopback address', endpoints('http://x127.0.0.1:10000/a')],
    ['a loopback-looking address with a fifth part', endpoints('http://127.0.0.1.5:10000/a')],
    [
      'loopback endpoints through a proxy',
      `${endpoints('http://127.0.0.1:10000/a')};DevelopmentStorageProxyUri=http://p`,
    ],
    [
      'an endpoint given twice, the remote one first',
      `BlobEndpoint=https://x.blob.core.windows.net;${endpoints('http://127.0.0.1:10000/a')}`,
    ],
  ])('refused: %s', (_case, connectionString) => {
    expect(() => off(connectionString)).toThrow(
      'Invalid setting INGEST_AUTH: "off" is allowed only with the local storage emulator: ' +
        'DATA_STORAGE_CONNECTION_STRING must be "UseDevelopmentStorage=true" or set both BlobEndpoint and ' +
        'TableEndpoint on loopback (127.0.0.0/8, localhost, [::1])',
    );
  });
});

describe('credentialFor', () => {
  const endpoints = {
    kind: 'identity' as const,
    blobEndpoint: 'https://stdata01.blob.core.windows.net',
    tableEndpoint: 'https://stdata01.table.core.windows.net',
  };

  test('with a managed identity client id: that identity directly, no credential chain', () => {
    const credential = credentialFor({
      ...endpoints,
      managedIdentityClientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(credential).not.toBeInstanceOf(DefaultAzureCredential);
  });

  test("without one (a developer's machine): DefaultAzureCredential", () => {
    expect(credentialFor(endpoints)).toBeInstanceOf(DefaultAzureCredential);
  });

  test('in Azure, loadConfig + credentialFor give the managed identity; elsewhere the chain', () => {
    const env = { DATA_STORAGE_ACCOUNT_NAME: 'stdata01', AZURE_CLIENT_ID: 'abc' };
    const inAzure = loadConfig({ ...env, WEBSITE_SITE_NAME: 'func-x' }).storage;
    const onALaptop = loadConfig(env).storage;
    if (inAzure.kind !== 'identity' || onALaptop.kind !== 'identity') throw new Error('expected identity');
    expect(credentialFor(inAzure)).toBeInstanceOf(ManagedIdentityCredential);
    expect(credentialFor(onALaptop)).toBeInstanceOf(DefaultAzureCredential);
  });
});
