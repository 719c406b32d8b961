import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { createHealthHandler } from '../../functions/health';
import { createIngestHandler } from '../../functions/ingest';
import { loadConfig } from '../../shared/config';
import { createRuntime, type Runtime } from '../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { azuriteConnectionString, uniqueStorageNames } from './azurite';
import { StorageInspector } from './storageInspector';

export interface TestApp {
  runtime: Runtime;
  inspector: StorageInspector;
  logs: string[];
  /** The real v4 handler, called with a hand-built HttpRequest. */
  post(deviceId: string, body: string | Uint8Array, headers?: Record<string, string>): Promise<TestResponse>;
  send(
    method: string,
    deviceId: string,
    body?: string | Uint8Array,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  health(): Promise<TestResponse>;
}

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
  const direct = loadConfig({
    DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString(),
    RAW_CONTAINER: names.rawContainer,
    IDEMPOTENCY_TABLE: names.idempotencyTable,
  });
  await ensureStorageResources(createStorageClients(direct));
  const runtime = createRuntime(
    loadConfig({
      DATA_STORAGE_CONNECTION_STRING: storageConnection,
      RAW_CONTAINER: names.rawContainer,
      IDEMPOTENCY_TABLE: names.idempotencyTable,
      ...settings,
    }),
    now,
  );
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
    headers: Record<string, string> = {},
  ) => {
    const request = new HttpRequest({
      method,
      url: `http://localhost:7071/api/ingest/${encodeURIComponent(deviceId)}`,
      params: { deviceId },
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? { string: body } : { bytes: body },
    });
    return toTestResponse(await ingest(request, context()));
  };
  return {
    runtime,
    inspector: new StorageInspector(azuriteConnectionString(), names.rawContainer, names.idempotencyTable),
    logs,
    send,
    post: (deviceId, body, headers) => send('POST', deviceId, body, headers),
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
