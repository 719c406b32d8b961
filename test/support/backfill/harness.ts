/**
 * What the backfill tests and the backfill benchmark share: the real endpoint (the dev host serving
 * dist/main.js in a child process, on Azurite), devices registered with their own keys, generated
 * folders, and the CLI itself as a child process (real exit codes, stdout/stderr and signals).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../../shared/config';
import { addDevice } from '../../../shared/auth/deviceAdmin';
import { createStorageClients, ensureStorageResources } from '../../../shared/storage/clients';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { issueCertificates, certFiles } from '../../../scripts/lib/certs';
import { freePort } from '../../../scripts/lib/azurite';
import { uniqueStorageNames } from '../../helpers/azurite';
import { StorageInspector } from '../../helpers/storageInspector';
import { HostProcess } from '../simulator/processes';
import { CONFIRMED_PREFIX } from '../../../shared/storage/blobConfirmationLog';

export const ROOT = join(__dirname, '..', '..', '..');

export interface Endpoint {
  url: string;
  /** Set when started with `https: true`. */
  httpsUrl?: string;
  caFile?: string;
  host: HostProcess;
  registry: TableDeviceRegistry;
  inspector: StorageInspector;
  env: Record<string, string>;
  /** Registers devices and returns their keys. */
  addDevices(ids: string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * `npm start`'s dev host as a child process over fresh, uniquely named containers and tables in the
 * given Azurite; device authentication on. `settings` are extra app settings.
 */
export async function startEndpoint(
  connectionString: string,
  settings: Record<string, string> = {},
  options: { https?: boolean } = {},
): Promise<Endpoint> {
  const names = uniqueStorageNames();
  const work = mkdtempSync(join(tmpdir(), 'backfill-host-'));
  const certDir = join(work, 'certs');
  if (options.https) await issueCertificates(certDir, { dns: [], ips: [] });
  const port = await freePort();
  const httpsPort = await freePort();
  const env: Record<string, string> = {
    DATA_STORAGE_CONNECTION_STRING: connectionString,
    RAW_CONTAINER: names.rawContainer,
    IDEMPOTENCY_TABLE: names.idempotencyTable,
    DEVICES_TABLE: names.devicesTable,
    INGEST_AUTH: 'on',
    RETRY_AFTER_SECONDS: '1',
    // Keys added or revoked by a test count at once, not after the cache's minute.
    DEVICE_CACHE_TTL_SECONDS: '0',
    // Always a folder of our own: the repository's .certs would make every host claim port 7443.
    DEV_CERT_DIR: certDir,
    HTTPS_PORT: String(httpsPort),
    ...settings,
  };
  const clients = createStorageClients(loadConfig(env));
  await ensureStorageResources(clients);
  const registry = new TableDeviceRegistry(clients.devicesTable, 10_000);
  const host = new HostProcess({ root: ROOT, port, env, logFile: join(work, 'host.log') });
  await host.start();
  return {
    url: `http://127.0.0.1:${port}`,
    httpsUrl: options.https ? `https://127.0.0.1:${httpsPort}` : undefined,
    caFile: options.https ? certFiles(certDir).caCert : undefined,
    host,
    registry,
    inspector: new StorageInspector(connectionString, names.rawContainer, names.idempotencyTable),
    env,
    async addDevices(ids) {
      const keys: Record<string, string> = {};
      for (const id of ids) keys[id] = await addDevice(registry, id);
      return keys;
    },
    stop: () => host.stop(),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx scripts/ops/cli.ts backfill ...`: the CLI is this very process, so a signal reaches it. */
export function spawnBackfill(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('scripts', 'ops', 'cli.ts'), 'backfill', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function runBackfillCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnBackfill(args, env).done;
}

/** The `--json` summary: the last line of stdout. */
export function summaryOf(result: CliResult): Record<string, number> {
  const last = result.stdout.trimEnd().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, number>;
  } catch {
    throw new Error(
      `no JSON summary as the last stdout line (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

export interface JournalLine {
  time: string;
  device: string;
  path: string;
  size: number;
  sha256: string;
  status: string;
  blob?: string;
  httpStatus?: number;
  error?: string;
}

/** Complete lines only (a torn last line is what the CLI must tolerate, not the test). */
export function readJournal(path: string): JournalLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalLine);
}

export const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Writes `files` (path relative to `folder` -> content) and returns the folder. */
export function writeFolder(folder: string, files: Record<string, string | Buffer>): string {
  for (const [path, content] of Object.entries(files)) {
    const target = join(folder, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return folder;
}

export function writeKeys(dir: string, keys: Record<string, string>, name = 'keys.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(keys));
  return file;
}

/**
 * Blob counts per device (first segment of the blob name). The dev host's sweep timer may write its
 * confirmation record into the same container when a run crosses its schedule: not a device's file.
 */
export async function blobsPerDevice(inspector: StorageInspector): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await inspector.blobNames()) {
    if (name.startsWith(CONFIRMED_PREFIX)) continue;
    const device = name.split('/')[0]!;
    counts[device] = (counts[device] ?? 0) + 1;
  }
  return counts;
}
