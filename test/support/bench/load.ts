/**
 * One HTTP load run with autocannon (programmatic): every request is built by `next()` (a unique
 * file, round robin over the devices), latencies are kept exactly (autocannon's own histogram has
 * 1 ms buckets), and the CPU that the server, Azurite and the load generator spent in the window is
 * read from /proc, so each figure can say whose time it was.
 */
import autocannon from 'autocannon';
import type { BenchRequest } from './payloads';
import { cpuMsOf, machineCpuMs } from './procfs';
import { percentile } from './stats';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Run for this many seconds ... */
  seconds?: number;
  /** ... or until this many answers. */
  amount?: number;
  next: () => BenchRequest;
  /** Processes whose CPU time is charged to this run. */
  pids?: { server?: number; azurite?: number };
}

export interface LoadResult {
  seconds: number;
  ok: number;
  /** Non-2xx answers by status. */
  failed: Record<string, number>;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU milliseconds per 2xx answer, per process. */
  cpuPerRequest: { server: number; azurite: number; client: number };
  /**
   * Share of the machine's CPU (all cores) that processes other than these three used during the
   * run: anything else running on this box competes with the measurement.
   */
  othersShare: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let errors = 0;
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const { path, headers, body } = options.next();
    return { ...request, method: 'POST', path, headers, body };
  };
  const cpuBefore = cpuSnapshot(options.pids);
  const started = performance.now();
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
      timeout: 60,
      requests: [{ setupRequest }],
    },
    () => undefined,
  );
  // autocannon reports `done` on its next 1 s tick: the run ends at its last answer, not then.
  let lastAnswer = started;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    lastAnswer = performance.now();
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else failed[statusCode] = (failed[statusCode] ?? 0) + 1;
  });
  instance.on('reqError', () => errors++);
  await new Promise<void>((resolve, reject) => {
    instance.on('done', () => resolve());
    instance.on('error', reject);
  });
  const cpu = cpuSince(cpuBefore, latencies.length, options.pids);
  const seconds = (lastAnswer - started) / 1000;
  return {
    seconds,
    ok: latencies.length,
    failed,
    errors,
    rps: seconds > 0 ? latencies.length / seconds : NaN,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...cpu,
  };
}

export type CpuSnapshot = ReturnType<typeof cpuSnapshot>;

export function cpuSnapshot(pids: LoadOptions['pids']) {
  const self = process.cpuUsage();
  return {
    machine: machineCpuMs(),
    server: cpuMsOf(pids?.server),
    azurite: cpuMsOf(pids?.azurite),
    client: (self.user + self.system) / 1000,
  };
}

/**
 * The CPU each process spent since `before`, per 2xx answer, and the share of the machine that other
 * processes took meanwhile.
 */
export function cpuSince(
  before: CpuSnapshot,
  answers: number,
  pids: LoadOptions['pids'],
): Pick<LoadResult, 'cpuPerRequest' | 'othersShare'> {
  const after = cpuSnapshot(pids);
  const perRequest = (from: number, to: number) => (to - from) / Math.max(1, answers);
  const machine = {
    busy: after.machine.busy - before.machine.busy,
    total: after.machine.total - before.machine.total,
  };
  const ours = ['server', 'azurite', 'client'] as const;
  const oursMs = ours.reduce((n, k) => n + (after[k] - before[k] || 0), 0);
  return {
    cpuPerRequest: {
      server: perRequest(before.server, after.server),
      azurite: perRequest(before.azurite, after.azurite),
      client: perRequest(before.client, after.client),
    },
    othersShare: Math.max(0, machine.busy - oursMs) / Math.max(1, machine.total),
  };
}

export function failedCount(result: Pick<LoadResult, 'failed' | 'errors'>): number {
  return Object.values(result.failed).reduce((a, b) => a + b, 0) + result.errors;
}
