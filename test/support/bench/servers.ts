/**
 * What one measurement runs against: a fresh in-memory Azurite with the bench devices registered,
 * and a server under test in a process of its own, either the dev host (scripts/dev/start.ts serving
 * dist/main.js, through HostProcess) or the storage floor (floorServer.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { addDevice } from '../../../shared/auth/deviceAdmin';
import { createStorageClients, ensureStorageResources } from '../../../shared/storage/clients';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { type AzuriteInstance, freePort, startAzurite, stopChild } from '../../../scripts/lib/azurite';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';
import { HostProcess } from '../simulator/processes';
import { MODEL, deviceIds } from './payloads';
import { MiB } from './stats';

/** The largest body the app accepts by default (MAX_BODY_BYTES), set explicitly for the run. */
export const MAX_BODY_BYTES = 10 * MiB;

export interface ServerUnderTest {
  url: string;
  pid: number;
  /** Per-outcome counts from the dev host's request log (empty for the floor). */
  outcomes(): Record<string, number>;
  stop(): Promise<void>;
}

export interface Storage {
  azurite: AzuriteInstance;
  /** Device id -> its key (registered whether or not the server checks keys). */
  keys: Map<string, string>;
}

/**
 * A fresh Azurite, set up. Its ports are picked free and then bound by Azurite a moment later: under
 * load an outgoing connection can take one in between, and that Azurite exits (a bench run died so,
 * ECONNREFUSED, on 2026-12-06). Such a start is retried on new ports.
 */
export async function freshStorage(attempts = 3): Promise<Storage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await setUpStorage();
    } catch (err) {
      if (attempt >= attempts) throw err;
      console.warn(`bench: Azurite did not come up (${(err as Error).message}); starting another`);
    }
  }
}

async function setUpStorage(): Promise<Storage> {
  const azurite = await startAzurite({ inMemory: true });
  try {
    const clients = createStorageClients(
      loadConfig({ DATA_STORAGE_CONNECTION_STRING: azurite.connectionString }),
    );
    await ensureStorageResources(clients);
    const registry = new TableDeviceRegistry(clients.devicesTable, 10_000);
    const keys = new Map<string, string>();
    for (const id of deviceIds()) keys.set(id, await addDevice(registry, id, MODEL));
    return { azurite, keys };
  } catch (err) {
    await azurite.stop();
    throw err;
  }
}

export interface DevHostOptions {
  auth: boolean;
  /** Where the app to serve was built (its package.json `main`); this checkout by default. */
  root?: string;
  workDir: string;
  /** Extra node flags for the host process (the profile's --cpu-prof). */
  nodeOptions?: string;
}

let hostLogs = 0;

export async function startDevHost(storage: Storage, options: DevHostOptions): Promise<ServerUnderTest> {
  const port = await freePort();
  const host = new HostProcess({
    root: options.root ?? REPO_ROOT,
    port,
    logFile: join(options.workDir, `host-${++hostLogs}.log`),
    env: {
      HOST: '127.0.0.1',
      DATA_STORAGE_CONNECTION_STRING: storage.azurite.connectionString,
      RAW_CONTAINER: 'raw',
      IDEMPOTENCY_TABLE: 'idempotency',
      DEVICES_TABLE: 'devices',
      INGEST_AUTH: options.auth ? 'on' : 'off',
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      // The sweep settles every claim the load wrote (a read per claim): on its default schedule it
      // fired inside a measured window now and then and charged that window with its work. Once a
      // year keeps it out; what the sweep costs per file is `npm run sweep:cost`'s to measure.
      SWEEP_SCHEDULE: '0 0 0 1 1 *',
      // No certificate there: no HTTPS listener on a fixed port.
      DEV_CERT_DIR: join(options.workDir, 'no-certs'),
      ...(options.nodeOptions
        ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${options.nodeOptions}`.trim() }
        : {}),
    },
  });
  await host.start();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: host.pid!,
    outcomes: () => ({ ...host.outcomes }),
    stop: () => host.stop(),
  };
}

/** Both writes at once; the entry, then the blob; or that and the checks no ingest can skip (floorServer.ts). */
export type FloorOrder = 'parallel' | 'serial' | 'checked';

export async function startFloor(storage: Storage, order: FloorOrder): Promise<ServerUnderTest> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'bench', 'floorServer.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATA_STORAGE_CONNECTION_STRING: storage.azurite.connectionString,
        PORT: String(port),
        FLOOR_ORDER: order,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await waitForLine(child, 'floor ready', 30_000);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    outcomes: () => ({}),
    stop: () => stopChild(child),
  };
}

function waitForLine(child: ChildProcess, marker: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`no "${marker}" within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4000);
      if (seen.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stdout!.on('data', onData);
    // Keep draining both pipes for the life of the child, or it blocks on a full pipe.
    child.stderr!.on('data', (chunk: Buffer) => (seen = (seen + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => fail(new Error(`exited (${code}) before "${marker}":\n${seen}`)));
  });
}

/** What a run measures: a floor, or the dev host serving this app or the baseline's (`before`). */
export type Target =
  { kind: 'floor'; order: FloorOrder } | { kind: 'ingest'; auth: boolean; before?: boolean };

/** A fresh Azurite and `target` on it for one run; both are stopped after it. */
export async function withServer<T>(
  target: Target,
  settings: { workDir: string; baseline?: string },
  run: (server: ServerUnderTest, storage: Storage) => Promise<T>,
): Promise<T> {
  const storage = await freshStorage();
  try {
    const server =
      target.kind === 'floor'
        ? await startFloor(storage, target.order)
        : await startDevHost(storage, {
            auth: target.auth,
            workDir: settings.workDir,
            root: target.before ? settings.baseline : undefined,
          });
    try {
      return await run(server, storage);
    } finally {
      await server.stop();
    }
  } finally {
    await storage.azurite.stop();
  }
}
