import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { createHealthHandler } from '../../functions/health';
import { createIngestHandler } from '../../functions/ingest';
import { loadConfig } from '../../shared/config';
import { isDeviceId } from '../../shared/deviceId';
import { createRuntime, type Runtime } from '../../shared/runtime';
import { addDevice, addKey } from '../../shared/auth/deviceAdmin';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { azuriteConnectionString, uniqueStorageNames } from './azurite';
import { StorageInspector } from './storageInspector';

export interface TestApp {
  runtime: Runtime;
  /** Admin access to the devices table, as `npm run device` has. */
  registry: TableDeviceRegistry;
  /** Registers the device if needed and returns a fresh key for it. */
  keyFor(deviceId: string, options?: { model?: string }): Promise<string>;
  inspector: StorageInspector;
  logs: string[];
  /** The real v4 handler, called with a hand-built HttpRequest; `query` goes after the URL's `?`. */
  post(
    deviceId: string,
    body: string | Uint8Array,
    headers?: TestHeaders,
    options?: { query?: string },
  ): Promise<TestResponse>;
  send(
    method: string,
    deviceId: string,
    body?: string | Uint8Array,
    headers?: TestHeaders,
    options?: { query?: string },
  ): Promise<TestResponse>;
  health(): Promise<TestResponse>;
}

/**
 * Request headers. Unless a test sets `authorization` or the device-key header itself (null = leave out),
 * requests carry a valid key for their device, provisioned on first use.
 */
export type TestHeaders = Record<string, string | null>;

export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * The real runtime and handlers over fresh, uniquely named storage in Azurite. `storageConnection`
 * lets a test route the SDK through a fault proxy while the inspector reads Azurite directly.
 */
export async function createTestApp(
  settings: Record<string, string> = {},
  storageConnection: string = azuriteConnectionString(),
  now?: () => Date,
): Promise<TestApp> {
  const names = uniqueStorageNames();
  const storageSettings = {
    RAW_CONTAINER: names.rawContainer,
    IDEMPOTENCY_TABLE: names.idempotencyTable,
    DEVICES_TABLE: names.devicesTable,
  };
  const direct = createStorageClients(
    loadConfig({ DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString(), ...storageSettings }),
  );
  await ensureStorageResources(direct);
  const runtime = createRuntime(
    loadConfig({
      DATA_STORAGE_CONNECTION_STRING: storageConnection,
      ...storageSettings,
      // Rate limiting has its own tests; elsewhere it would only make request counts matter.
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_FAILURES_PER_MINUTE: '0',
      ...settings,
    }),
    // Every resend reaches storage here: the in-memory answer for settled files has its own tests.
    { now, warn: () => undefined, rememberSettled: false },
  );
  const registry = new TableDeviceRegistry(direct.devicesTable, 10_000);
  const keys = new Map<string, Promise<string>>();
  const keyFor = async (deviceId: string, options: { model?: string } = {}) => {
    const token = (await registry.get(deviceId))
      ? await addKey(registry, deviceId)
      : await addDevice(registry, deviceId, options.model);
    // Later automatic requests reuse the newest key (a new one would be unknown to the registry cache).
    keys.set(deviceId, Promise.resolve(token));
    return token;
  };
  const credentials = async (deviceId: string, headers: TestHeaders): Promise<Record<string, string>> => {
    const keyHeader = runtime.config.deviceKeyHeader;
    if ('authorization' in headers || keyHeader in headers || !isDeviceId(deviceId)) {
      return {};
    }
    // One key per device for the automatic case, even when the first requests arrive at once.
    if (!keys.has(deviceId)) keys.set(deviceId, keyFor(deviceId));
    return { authorization: `Bearer ${await keys.get(deviceId)}` };
  };
  const ingest = createIngestHandler(() => runtime);
  const health = createHealthHandler(() => runtime);
  const logs: string[] = [];
  const context = () =>
    new InvocationContext({
      functionName: 'ingest',
      logHandler: (_level, ...args) => logs.push(args.join(' ')),
    });

  const send = async (
    method: string,
    deviceId: string,
    body?: string | Uint8Array,
    headers: TestHeaders = {},
    { query }: { query?: string } = {},
  ) => {
    const sent: Record<string, string> = {
      'content-type': 'application/json',
      ...(await credentials(deviceId, headers)),
    };
    for (const [name, value] of Object.entries(headers)) {
      if (value === null) delete sent[name];
      else sent[name] = value;
    }
    const request = new HttpRequest({
      method,
      url: `http://localhost:7071/api/ingest/${encodeURIComponent(deviceId)}${query ? `?${query}` : ''}`,
      params: { deviceId },
      headers: sent,
      body: body === undefined ? undefined : typeof body === 'string' ? { string: body } : { bytes: body },
    });
    return toTestResponse(await ingest(request, context()));
  };
  return {
    runtime,
    registry,
    keyFor,
    inspector: new StorageInspector(azuriteConnectionString(), names.rawContainer, names.idempotencyTable),
    logs,
    send,
    post: (deviceId, body, headers, options) => send('POST', deviceId, body, headers, options),
    health: async () =>
      toTestResponse(
        await health(new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' }), context()),
      ),
  };
}

export function toTestResponse(init: HttpResponseInit): TestResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>))
    headers[name.toLowerCase()] = value;
  return { status: init.status ?? 200, headers, body: (init.jsonBody ?? {}) as Record<string, unknown> };
}

/** A realistic oil-condition upload; `overrides` replace top-level fields. */
export function oilPayload(deviceId = 'truck-042', overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    deviceId,
    sentAt: '2026-11-25T08:15:02Z',
    firmware: '2.4.1',
    readings: [
      { timestamp: '2026-11-25T08:10:00Z', oilTemperatureC: 86.4, densityKgM3: 871.2, viscosityCSt: 96.8 },
      { timestamp: '2026-11-25T08:11:00Z', oilTemperatureC: 87.1, densityKgM3: 871.0, viscosityCSt: 95.9 },
    ],
    ...overrides,
  });
}
