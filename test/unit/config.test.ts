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
