import { blobNamer } from './blobName';
import { type Config, loadConfig } from './config';
import { DeviceAuthenticator, type UnknownIdGuard } from './auth/authenticateDevice';
import { DeviceDirectory } from './auth/deviceDirectory';
import { CachedDeviceRegistry } from './auth/cachedDeviceRegistry';
import { checkStorage } from './health';
import { TokenBucketLimiter } from './rateLimiter';
import { TableDeviceRegistry } from './storage/tableDeviceRegistry';
import { IngestService } from './ingest';
import { SettledFiles } from './settledFiles';
import { BlobRawStore } from './storage/blobRawStore';
import { createStorageClients, type StorageClients } from './storage/clients';
import { TableIdempotencyStore } from './storage/tableIdempotencyStore';
import { deviceModelMapFor } from './validation/deviceModels';
import { loadGeneratedValidator } from './validation/generatedValidators';
import { sweepOver } from './sweep/sweepOver';
import type { SweepResult } from './sweep/types';

/** Everything a request needs, built once per process: config, SDK clients, validators. */
export interface Runtime {
  config: Config;
  clients: StorageClients;
  ingest: IngestService;
  checkHealth(): Promise<void>;
  /** One sweep run over this runtime's storage (shared/sweep/), on its clock. */
  sweep(): Promise<SweepResult>;
}

export interface RuntimeOptions {
  /**
   * The one clock of the request path: receive times, the device cache's TTL, key expiry and the
   * rate limiter. Tests move it instead of sleeping.
   */
  now?: () => Date;
  /** Receives the loud start-up warning when device authentication is off. */
  warn?: (message: string) => void;
  /**
   * Answer resends of files this instance saw stored from memory (default on). Tests of the
   * storage path turn it off so every resend reaches storage.
   */
  rememberSettled?: boolean;
}

export function createRuntime(
  config: Config,
  { now = () => new Date(), warn = console.warn, rememberSettled = true }: RuntimeOptions = {},
): Runtime {
  const millis = () => now().getTime();
  const validator = loadGeneratedValidator();
  const deviceModels = deviceModelMapFor(validator.models, config.deviceModelsOverride);
  const clients = createStorageClients(config);
  const records = new TableIdempotencyStore(clients.idempotencyTable, config.storageTimeoutMs);
  const devices = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
  const registry = new CachedDeviceRegistry(devices, config.deviceCacheTtlMs, {}, millis);
  if (!config.authEnabled) {
    warn(
      '\n*** WARNING: INGEST_AUTH=off - device keys are NOT checked; anyone can write under any device id. ' +
        'Local development only. ***\n',
    );
  }
  const ingest = new IngestService({
    rawContainer: config.rawContainer,
    maxBodyBytes: config.maxBodyBytes,
    bodyTimeouts: { idleTimeoutMs: config.bodyIdleTimeoutMs, totalTimeoutMs: config.bodyReadTimeoutMs },
    maxJsonDepth: config.maxJsonDepth,
    validator,
    deviceModels,
    blobs: new BlobRawStore(clients.rawContainer, config.storageTimeoutMs),
    records,
    authenticator: config.authEnabled
      ? new DeviceAuthenticator(registry, {
          unknownIds: unknownIdGuard(config, devices, millis),
          deviceKeyHeader: config.deviceKeyHeader,
          now,
        })
      : undefined,
    settled: rememberSettled ? new SettledFiles() : undefined,
    // The first writer's blob write gives up after the storage deadline; a minute more covers an
    // upload the service commits just after the client stopped waiting.
    claimInFlightMs: 2 * config.storageTimeoutMs + 60_000,
    nameBlob: blobNamer(config.smokeDevices),
    deviceKeyHeader: config.deviceKeyHeader,
    rateLimiter:
      config.rateLimitPerMinute > 0
        ? new TokenBucketLimiter(config.rateLimitPerMinute, config.rateLimitBurst, millis)
        : undefined,
    now,
  });
  return {
    config,
    clients,
    ingest,
    checkHealth: () => checkStorage(clients.rawContainer, records, config.storageTimeoutMs),
    sweep: () =>
      sweepOver(clients, {
        storageTimeoutMs: config.storageTimeoutMs,
        orphanAfterMs: config.sweepOrphanAfterMs,
        now,
      }),
  };
}

/** Reads of never-seen device ids: AUTH_FAILURES_PER_MINUTE per address group, then the directory. */
function unknownIdGuard(
  config: Config,
  devices: TableDeviceRegistry,
  millis: () => number,
): UnknownIdGuard | undefined {
  if (config.authFailuresPerMinute === 0) return undefined;
  return {
    budget: new TokenBucketLimiter(config.authFailuresPerMinute, config.authFailureBurst, millis),
    directory: new DeviceDirectory(() => devices.listIds(), DIRECTORY_MIN_RELIST_MS, millis),
  };
}

/** How stale the list of device ids may be when an unlisted id comes: a new device waits at most this. */
const DIRECTORY_MIN_RELIST_MS = 10_000;

let current: Runtime | undefined;

/** The process-wide runtime; the first call reads the settings and fails loudly if one is bad. */
export function getRuntime(): Runtime {
  current ??= createRuntime(loadConfig());
  return current;
}
