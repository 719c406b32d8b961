import { isDeviceId } from './deviceId';
import { ConfigurationError } from './errors';
import { isStorageAccountName } from './storageAccountName';

/** How the process reaches the data storage account. */
export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      blobEndpoint: string;
      tableEndpoint: string;
      /** The app's user-assigned managed identity, only when running on App Service / Functions. */
      managedIdentityClientId?: string;
    };

export interface Config {
  storage: StorageConnection;
  rawContainer: string;
  /** Where the scheduled exports of the tables go (shared/tableExport). */
  exportsContainer: string;
  idempotencyTable: string;
  maxBodyBytes: number;
  /** How long a body may go without a byte arriving before it counts as stalled (408). */
  bodyIdleTimeoutMs: number;
  /** How long the whole body may take to arrive (408 past it). */
  bodyReadTimeoutMs: number;
  /** Upper bound for one storage operation including the SDK's own retries. */
  storageTimeoutMs: number;
  /** What a 503 tells the device to wait before retrying. */
  retryAfterSeconds: number;
  /** JSON object { deviceId | "prefix*": model }, overriding the bundled device map. */
  deviceModelsOverride?: string;
  /** Per-device keys from the devices table; off only for local development. */
  authEnabled: boolean;
  devicesTable: string;
  /** How long a device's record (keys, disabled flag) is cached per instance: the revocation bound. */
  deviceCacheTtlMs: number;
  /** Token bucket per device and instance; 0 turns the limit off. */
  rateLimitPerMinute: number;
  rateLimitBurst: number;
  /**
   * Reads of device ids this instance has never seen exist, per client address group and instance;
   * past it such ids are looked up in one shared listing. 0 turns the bound off.
   */
  authFailuresPerMinute: number;
  authFailureBurst: number;
  /** The header that may carry the device key, for gateways that cannot set Authorization (lowercase). */
  deviceKeyHeader: string;
  maxJsonDepth: number;
  /** NCRONTAB (six fields, UTC) of the sweep's timer. */
  sweepSchedule: string;
  /** A claim without its blob this long after its last write is an orphan. */
  sweepOrphanAfterMs: number;
  /** Device ids (exact, or `prefix*`) of smoke-test devices, whose files go under `_smoke/`. */
  smokeDevices: string[];
}

type Env = Record<string, string | undefined>;

const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** {second} {minute} {hour} {day} {month} {day-of-week}, as Azure Functions timers take it. */
const NCRONTAB = /^\s*\S+(\s+\S+){5}\s*$/;

/**
 * Reads and validates every setting once. A bad value fails start-up with a message naming the
 * setting, never the first request. See the settings table in docs/CONFIGURATION.md.
 */
export function loadConfig(env: Env = process.env): Config {
  const storage = storageConnection(env);
  return {
    storage,
    rawContainer: matching(env, 'RAW_CONTAINER', 'raw', CONTAINER_NAME, 'a blob container name'),
    exportsContainer: matching(
      env,
      'TABLE_EXPORTS_CONTAINER',
      'table-exports',
      CONTAINER_NAME,
      'a blob container name',
    ),
    idempotencyTable: matching(env, 'IDEMPOTENCY_TABLE', 'idempotency', TABLE_NAME, 'a table name'),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 10 * 1024 * 1024, 1, 100 * 1024 * 1024),
    bodyIdleTimeoutMs: integer(env, 'BODY_IDLE_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    bodyReadTimeoutMs: integer(env, 'BODY_READ_TIMEOUT_SECONDS', 200, 1, 3600) * 1000,
    storageTimeoutMs: integer(env, 'STORAGE_TIMEOUT_MS', 10_000, 100, 120_000),
    retryAfterSeconds: integer(env, 'RETRY_AFTER_SECONDS', 5, 1, 3600),
    deviceModelsOverride: nonEmpty(env.DEVICE_MODELS),
    authEnabled: authSetting(env, storage),
    devicesTable: matching(env, 'DEVICES_TABLE', 'devices', TABLE_NAME, 'a table name'),
    deviceCacheTtlMs: integer(env, 'DEVICE_CACHE_TTL_SECONDS', 60, 0, 3600) * 1000,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    rateLimitBurst: integer(env, 'RATE_LIMIT_BURST', 60, 1, 100_000),
    authFailuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 30, 0, 100_000),
    authFailureBurst: integer(env, 'AUTH_FAILURE_BURST', 30, 1, 100_000),
    deviceKeyHeader: headerName(env, 'DEVICE_KEY_HEADER', 'x-device-key'),
    maxJsonDepth: integer(env, 'MAX_JSON_DEPTH', 64, 2, 1000),
    sweepSchedule: matching(
      env,
      'SWEEP_SCHEDULE',
      '0 */5 * * * *',
      NCRONTAB,
      'a six-field NCRONTAB expression',
    ),
    // At least 10 minutes: well past the longest a claim's own writer can still be at work.
    sweepOrphanAfterMs: integer(env, 'SWEEP_ORPHAN_AFTER_MINUTES', 360, 10, 10_080) * 60_000,
    smokeDevices: deviceIdPatterns(env, 'SMOKE_DEVICES', 'smoke-*'),
  };
}

/**
 * INGEST_AUTH=off is for a developer's machine only, so it is accepted only while the data storage is
 * the local emulator, whatever else the environment says: inside App Service / Functions
 * (WEBSITE_SITE_NAME is set by the platform) it is refused outright, and anywhere else it is refused
 * for a storage account reached with Entra ID or for any connection string that can reach beyond
 * loopback. No app setting can open an endpoint in front of real data.
 */
function authSetting(env: Env, storage: StorageConnection): boolean {
  const value = (nonEmpty(env.INGEST_AUTH) ?? 'on').toLowerCase();
  if (value !== 'on' && value !== 'off')
    throw new ConfigurationError('INGEST_AUTH', `expected "on" or "off", got "${value}"`);
  if (value === 'on') return true;
  if (nonEmpty(env.WEBSITE_SITE_NAME)) {
    throw new ConfigurationError('INGEST_AUTH', 'device authentication cannot be turned off in Azure');
  }
  if (storage.kind === 'identity') {
    throw new ConfigurationError(
      'INGEST_AUTH',
      '"off" is allowed only with the local storage emulator, not with a storage account reached ' +
        'with Entra ID (DATA_STORAGE_ACCOUNT_NAME or DATA_STORAGE_*_ENDPOINT)',
    );
  }
  if (!isLocalEmulator(storage.connectionString)) {
    throw new ConfigurationError(
      'INGEST_AUTH',
      '"off" is allowed only with the local storage emulator: DATA_STORAGE_CONNECTION_STRING must be ' +
        '"UseDevelopmentStorage=true" or set both BlobEndpoint and TableEndpoint on loopback ' +
        '(127.0.0.0/8, localhost, [::1])',
    );
  }
  return false;
}

/** The keys a connection string to the emulator may have, spelled as the storage SDKs look them up. */
const CONNECTION_STRING_KEYS = new Set([
  'DefaultEndpointsProtocol',
  'AccountName',
  'AccountKey',
  'SharedAccessSignature',
  'BlobEndpoint',
  'TableEndpoint',
  'QueueEndpoint',
  'FileEndpoint',
  'EndpointSuffix',
]);

/**
 * True only for a connection string that cannot reach anything but this machine: exactly
 * `UseDevelopmentStorage=true` (both SDKs then use 127.0.0.1; no DevelopmentStorageProxyUri), or
 * explicit BlobEndpoint and TableEndpoint whose hosts are loopback. The Blob and Tables SDKs parse
 * connection strings differently (case, first or any match, endpoints derived from AccountName and
 * EndpointSuffix when absent), so anything unusual (an unknown or differently cased key, a repeated
 * key, a missing endpoint) counts as not local: refusing is the safe answer.
 */
function isLocalEmulator(connectionString: string): boolean {
  const parts = connectionString
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 1 && parts[0] === 'UseDevelopmentStorage=true') return true;
  const values = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    if (eq < 0 || !CONNECTION_STRING_KEYS.has(key) || values.has(key)) return false;
    values.set(key, part.slice(eq + 1));
  }
  return isLoopbackUrl(values.get('BlobEndpoint')) && isLoopbackUrl(values.get('TableEndpoint'));
}

/** http(s) URL whose host is 127.0.0.0/8, localhost or [::1] (as the URL parser normalises it). */
function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return false;
  let host: string;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    host = parsed.hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function storageConnection(env: Env): StorageConnection {
  const connectionString = nonEmpty(env.DATA_STORAGE_CONNECTION_STRING);
  if (connectionString) return { kind: 'connectionString', connectionString };

  const accountName = nonEmpty(env.DATA_STORAGE_ACCOUNT_NAME);
  const blobEndpoint = nonEmpty(env.DATA_STORAGE_BLOB_ENDPOINT);
  const tableEndpoint = nonEmpty(env.DATA_STORAGE_TABLE_ENDPOINT);
  if (!accountName && !(blobEndpoint && tableEndpoint)) {
    throw new ConfigurationError(
      'DATA_STORAGE_CONNECTION_STRING',
      'set it (e.g. UseDevelopmentStorage=true for Azurite), or DATA_STORAGE_ACCOUNT_NAME for keyless access in Azure',
    );
  }
  if (accountName && !isStorageAccountName(accountName)) {
    throw new ConfigurationError('DATA_STORAGE_ACCOUNT_NAME', 'expected 3-24 lowercase letters and digits');
  }
  return {
    kind: 'identity',
    blobEndpoint: url(
      'DATA_STORAGE_BLOB_ENDPOINT',
      blobEndpoint ?? `https://${accountName}.blob.core.windows.net`,
    ),
    tableEndpoint: url(
      'DATA_STORAGE_TABLE_ENDPOINT',
      tableEndpoint ?? `https://${accountName}.table.core.windows.net`,
    ),
    // AZURE_CLIENT_ID names the app's managed identity only where the platform provides one
    // (WEBSITE_SITE_NAME: App Service / Functions). Elsewhere the same variable belongs to a
    // developer's or a pipeline's sign-in (service principal, workload identity), which
    // DefaultAzureCredential reads from the environment itself (see credentialFor).
    managedIdentityClientId: nonEmpty(env.WEBSITE_SITE_NAME) ? nonEmpty(env.AZURE_CLIENT_ID) : undefined,
  };
}

/** A comma-separated list of device ids or `prefix*` patterns; `-` for none. */
function deviceIdPatterns(env: Env, name: string, fallback: string): string[] {
  const raw = nonEmpty(env[name]) ?? fallback;
  if (raw === '-') return [];
  const patterns = raw.split(',').map((p) => p.trim());
  for (const p of patterns) {
    // A bare `*` would send every device's files out of the vendor's folders: a prefix is required.
    const id = p.endsWith('*') && p.length > 1 ? `${p.slice(0, -1)}x` : p;
    if (!isDeviceId(id)) throw new ConfigurationError(name, `"${p}" is not a device id or "prefix*"`);
  }
  return patterns;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function matching(env: Env, name: string, fallback: string, pattern: RegExp, what: string): string {
  const value = nonEmpty(env[name]) ?? fallback;
  if (!pattern.test(value)) throw new ConfigurationError(name, `"${value}" is not ${what}`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Headers with a meaning of their own, here or on the way (proxies, the platform): never a key's. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'connection',
  'content-encoding',
  'content-length',
  'content-type',
  'cookie',
  'host',
  'idempotency-key',
  'proxy-authorization',
  'transfer-encoding',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

/** An HTTP field name (RFC 9110 token) that no other part of the request uses, lowercased. */
function headerName(env: Env, name: string, fallback: string): string {
  const value = (nonEmpty(env[name]) ?? fallback).toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(value)) {
    throw new ConfigurationError(name, `"${value}" is not an HTTP header name`);
  }
  if (RESERVED_HEADERS.has(value) || value.startsWith('x-ms-') || value.startsWith('x-arr-')) {
    throw new ConfigurationError(name, `"${value}" has a meaning of its own; choose another header name`);
  }
  return value;
}

function url(name: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('protocol');
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigurationError(name, `"${value}" is not an http(s) URL`);
  }
}
