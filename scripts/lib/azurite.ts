/**
 * Starts Azurite (the npm package, not a fake) as a child process and waits until its blob and
 * table ports accept connections. Used by `npm start` and by the jest global setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './repoRoot';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
// The well-known, public Azurite development key (documented by Microsoft); not a secret.
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteInstance {
  blobPort: number;
  tablePort: number;
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** On-disk data folder; omit with inMemory. */
  location?: string;
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  inMemory?: boolean;
  /** Where Azurite's own stdout/stderr go; silent by default. */
  debugLog?: string;
}

export function connectionStringFor(blobPort: number, tablePort: number, host = '127.0.0.1'): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${blobPort}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${tablePort}/${AZURITE_ACCOUNT}`,
  ].join(';');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function azuriteEntry(): string {
  return require.resolve('azurite/dist/src/azurite.js');
}

export async function startAzurite(options: AzuriteOptions): Promise<AzuriteInstance> {
  const blobPort = options.blobPort ?? (await freePort());
  const queuePort = options.queuePort ?? (await freePort());
  const tablePort = options.tablePort ?? (await freePort());
  if (options.location) mkdirSync(options.location, { recursive: true });
  const args = [
    azuriteEntry(),
    ...(options.location ? ['--location', options.location] : []),
    ...['--blobHost', '127.0.0.1', '--blobPort', String(blobPort)],
    ...['--queueHost', '127.0.0.1', '--queuePort', String(queuePort)],
    ...['--tableHost', '127.0.0.1', '--tablePort', String(tablePort)],
    // The SDKs may speak a newer REST version than this Azurite release knows.
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
    ...(options.inMemory ? ['--inMemoryPersistence'] : []),
    ...(options.debugLog ? ['--debug', options.debugLog] : ['--silent']),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Never leave an orphaned emulator behind if this process exits without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const deadline = Date.now() + 30_000;
  while (!((await isPortOpen(blobPort)) && (await isPortOpen(tablePort)))) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not open ports ${blobPort}/${tablePort} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    blobPort,
    tablePort,
    connectionString: connectionStringFor(blobPort, tablePort),
    process: child,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const DEFAULT_AZURITE_DIR = join(REPO_ROOT, '.azurite');
