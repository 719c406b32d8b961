/**
 * The real components as child processes the simulation can crash: the dev host (`scripts/dev/start.ts`
 * serving dist/main.js) and Azurite with on-disk persistence on fixed ports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { type AzuriteInstance, startAzurite } from '../../../scripts/lib/azurite';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface HostOptions {
  root: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
}

/** Per-request outcomes the host logged (its own view, including answers lost on the wire). */
export type HostOutcomes = Record<string, number>;

/**
 * `node --import tsx scripts/dev/start.ts`, not `node_modules/.bin/tsx scripts/dev/start.ts`: the tsx CLI runs the
 * script in a grandchild process, so a SIGKILL to it would orphan the real host still listening on
 * the port. With the loader the host is this very process, and SIGKILL means a crash.
 */
export class HostProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private pending = '';
  readonly outcomes: HostOutcomes = {};
  starts = 0;
  kills = 0;
  private closed = false;

  constructor(private readonly options: HostOptions) {}

  get running(): boolean {
    return this.child !== undefined && !exited(this.child);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 45_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce(timeoutMs);
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await sleep(500);
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    if (this.closed) throw new Error('host stopped for good');
    if (this.running) throw new Error('host already running');
    this.log ??= createWriteStream(this.options.logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'dev', 'start.ts')], {
      cwd: this.options.root,
      env: { ...process.env, ...this.options.env, PORT: String(this.options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    let ready = false;
    let recent = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.log?.write(text);
      recent = (recent + text).slice(-4000);
      if (!ready && recent.includes('Ctrl-C to stop.')) ready = true;
      this.count(text);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const deadline = Date.now() + timeoutMs;
    while (!ready) {
      if (exited(child))
        throw new Error(`host exited during start-up (${child.exitCode ?? child.signalCode}):\n${recent}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
        throw new Error(`host not ready within ${timeoutMs} ms:\n${recent}`);
      }
      await sleep(50);
    }
    this.log.write(`\n--- host ready (pid ${child.pid}) ---\n`);
  }

  /** Counts the outcome of each `{"event":"ingest",...}` line. */
  private count(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const at = line.indexOf('{"event":"ingest"');
      if (at < 0) continue;
      try {
        const { outcome } = JSON.parse(line.slice(at)) as { outcome?: string };
        if (outcome) this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
      } catch {
        // a line cut by the crash
      }
    }
  }

  /** SIGKILL: no clean-up, no answers for requests in flight. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || exited(child)) return;
    this.kills++;
    child.kill('SIGKILL');
    await waitExit(child, 10_000);
    this.log?.write(`\n--- host SIGKILLed (pid ${child.pid}) ---\n`);
  }

  /** Stops the host for good: a later start() fails. */
  async stop(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (child && !exited(child)) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
      }
    }
    await new Promise((resolve) => (this.log ? this.log.end(resolve) : resolve(undefined)));
    this.log = undefined;
  }
}

export interface AzuriteProcessOptions {
  location: string;
  blobPort: number;
  tablePort: number;
  queuePort: number;
}

/** Azurite on fixed ports with on-disk data, so it can be paused, stopped and started again in place. */
export class AzuriteProcess {
  private instance?: AzuriteInstance;
  private paused = false;
  restarts = 0;
  pauses = 0;
  /** Stops that needed SIGKILL: Azurite saves its metadata every 5 s, so those may lose recent writes. */
  forcedKills = 0;
  private closed = false;

  constructor(private readonly options: AzuriteProcessOptions) {}

  async start(): Promise<void> {
    if (this.closed) throw new Error('Azurite stopped for good');
    this.instance = await startAzurite({ ...this.options });
  }

  /** Stops Azurite for good: a later start() fails. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  pause(): void {
    const child = this.instance?.process;
    if (!child || exited(child) || this.paused) return;
    child.kill('SIGSTOP');
    this.paused = true;
    this.pauses++;
  }

  resume(): void {
    const child = this.instance?.process;
    if (!child || !this.paused) return;
    child.kill('SIGCONT');
    this.paused = false;
  }

  /** A graceful stop (SIGTERM): Azurite flushes its metadata. The ports refuse until `start()`. */
  async stop(): Promise<void> {
    const child = this.instance?.process;
    this.resume();
    if (!child || exited(child)) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 20_000))) {
      this.forcedKills++;
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
  }

  async restart(downMs: number): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.start();
    this.restarts++;
  }
}
