import { loadConfig } from '../../shared/config';

const local = { DATA_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig(local)).toEqual({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      rawContainer: 'raw',
      idempotencyTable: 'idempotency',
      maxBodyBytes: 10 * 1024 * 1024,
      storageTimeoutMs: 10_000,
      retryAfterSeconds: 5,
      deviceModelsOverride: undefined,
      authEnabled: true,
      devicesTable: 'devices',
      deviceCacheTtlMs: 60_000,
      rateLimitPerMinute: 600,
      rateLimitBurst: 60,
      maxJsonDepth: 64,
    });
  });

  test('INGEST_AUTH=off is accepted on a developer machine', () => {
    expect(loadConfig({ ...local, INGEST_AUTH: 'OFF' }).authEnabled).toBe(false);
  });

  test('keyless in Azure: account name -> endpoints + managed identity client id', () => {
    expect(loadConfig({ DATA_STORAGE_ACCOUNT_NAME: 'stdata01', AZURE_CLIENT_ID: 'abc' }).storage).toEqual({
      kind: 'identity',
      blobEndpoint: 'https://stdata01.blob.core.windows.net',
      tableEndpoint: 'https://stdata01.table.core.windows.net',
      managedIdentityClientId: 'abc',
    });
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
    [
      { DATA_STORAGE_ACCOUNT_NAME: 'stdata01', DATA_STORAGE_BLOB_ENDPOINT: 'ftp://x' },
      /DATA_STORAGE_BLOB_ENDPOINT/,
    ],
  ])('%j fails naming the setting', (env, setting) => {
    expect(() => loadConfig(env)).toThrow(setting);
  });
});
