/**
 * One simulation run, end to end, with real components and faults in between:
 *
 *   gateways --(ingress chaos proxy)--> dev host (child process) --(blob/table chaos proxies)--> Azurite (child, on disk)
 *
 * Files are produced continuously while faults are injected: per-request faults at every proxy (drawn
 * with the seeded generator at `faultRate`) and crash events one at a time (host SIGKILL at a random
 * moment, between the idempotency insert and the blob PUT, after the blob PUT before the answer;
 * Azurite SIGSTOP/SIGCONT and stop/restart in place). Then every fault is lifted, the gateways drain
 * their backlog, and storage is read back directly from Azurite for the verdict.
 */
import { sweepOver } from '../../../shared/sweep/sweepOver';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadConfig } from '../../../shared/config';
import { createStorageClients, ensureStorageResources } from '../../../shared/storage/clients';
import { TableDeviceRegistry } from '../../../shared/storage/tableDeviceRegistry';
import { addDevice } from '../../../shared/auth/deviceAdmin';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AZURITE_ACCOUNT, connectionStringFor, freePort } from '../../../scripts/lib/azurite';
import { ChaosFault, ChaosProxy, type ChaosRule, type ProxiedRequest } from '../faults/faultProxy';
import { type AttemptOutcome, Device, Gateway, newOutcomes, type RetryPolicy } from './gateway';
import { Ledger } from './ledger';
import { AzuriteProcess, HostProcess } from './processes';
import { Rng, shuffled } from './random';
import { formatReport, type RunSummary } from './report';
import { readStorage, verdict } from './verify';
import { REPO_ROOT } from '../../../scripts/lib/repoRoot';

export const CRASH_EVENTS = [
  'hostKill',
  'hostKillBeforeBlobPut',
  'hostKillAfterBlobPut',
  'azuritePause',
  'azuriteRestart',
] as const;
export type CrashEvent = (typeof CRASH_EVENTS)[number];

export const INGRESS_FAULTS = ['reset', 'dropResponse', 'slowResponse', 'truncatedBody'] as const;
export const STORAGE_FAULTS = ['status500', 'status503', 'hang', 'slow', 'dropResponse'] as const;

export interface ScenarioOptions {
  seed: number;
  devices: number;
  filesPerDevice: number;
  /** Devices whose files are sent by two gateways at once (each with its own copy of the buffer). */
  twinDevices: number;
  /** Files are produced over this long; crash events happen in this window too. */
  productionMs: number;
  /** Chance that a request through each proxy gets a fault. */
  faultRate: number;
  /** Mean gap between crash events. */
  eventGapMs: number;
  /** Every crash event and every per-request fault kind happens at least once. */
  everyFaultOnce: boolean;
  /** Share of large files (thousands of readings). */
  largeFileRate: number;
  policy: RetryPolicy;
  storageTimeoutMs: number;
  retryAfterSeconds: number;
  drainTimeoutMs: number;
  /** Work folder (buffers, Azurite data, host log); a fresh temp folder when omitted. */
  workDir?: string;
  /** Keep the work folder even when the run passes. */
  keepWorkDir?: boolean;
  deviceKey?: (deviceId: string) => string | undefined;
  /**
   * Real device authentication: every device is registered in the devices table with its own key
   * (as `npm run device -- add` does), the host runs with INGEST_AUTH=on and each gateway sends its
   * key as a Bearer token. Off: INGEST_AUTH=off.
   */
  auth?: boolean;
  /** Extra host settings. */
  hostEnv?: Record<string, string>;
  /** Progress lines. */
  log?: (line: string) => void;
  progressEveryMs?: number;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  seed: 1,
  devices: 5,
  filesPerDevice: 200,
  twinDevices: 1,
  productionMs: 30_000,
  faultRate: 0.05,
  eventGapMs: 4000,
  everyFaultOnce: true,
  largeFileRate: 0.02,
  policy: { baseMs: 100, capMs: 2000, maxRetryAfterMs: 10_000, timeoutMs: 3000 },
  storageTimeoutMs: 1500,
  retryAfterSeconds: 1,
  drainTimeoutMs: 60_000,
};

/** The run's figures (see RunSummary) and the printed table. */
export interface ScenarioResult extends RunSummary {
  table: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = REPO_ROOT;

/** Matchers for the write path's storage calls on the wire (container/table creation stays unfaulted). */
function storageMatchers(container: string, table: string) {
  const pathOf = (r: ProxiedRequest) => decodeURIComponent(new URL(r.path, 'http://x').pathname);
  return {
    blobPut: (r: ProxiedRequest) =>
      r.method === 'PUT' &&
      pathOf(r).startsWith(`/${AZURITE_ACCOUNT}/${container}/`) &&
      !r.path.includes('comp='),
    blobOp: (r: ProxiedRequest) =>
      (r.method === 'PUT' || r.method === 'HEAD') &&
      pathOf(r).startsWith(`/${AZURITE_ACCOUNT}/${container}/`),
    tableOp: (r: ProxiedRequest) =>
      ['GET', 'POST', 'PATCH', 'MERGE', 'PUT'].includes(r.method) &&
      (pathOf(r) === `/${AZURITE_ACCOUNT}/${table}` || pathOf(r).startsWith(`/${AZURITE_ACCOUNT}/${table}(`)),
  };
}

export async function runScenario(partial: Partial<ScenarioOptions> = {}): Promise<ScenarioResult> {
  const o: ScenarioOptions = {
    ...DEFAULT_OPTIONS,
    ...partial,
    policy: { ...DEFAULT_OPTIONS.policy, ...partial.policy },
  };
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  if (!existsSync(join(root, 'dist', 'main.js')))
    throw new Error('dist/main.js is missing: run `npm run build` first');
  const rng = new Rng(o.seed);
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), 'ingest-sim-'));
  mkdirSync(workDir, { recursive: true });
  const container = `raw-sim${o.seed % 100000}`;
  const table = `idemsim${o.seed % 100000}`;
  const devicesTable = `devicessim${o.seed % 100000}`;
  const deviceIds = Array.from({ length: o.devices }, (_, d) => `truck-${String(d + 1).padStart(3, '0')}`);
  const ops = storageMatchers(container, table);

  const [blobPort, tablePort, queuePort, hostPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const azurite = new AzuriteProcess({ location: join(workDir, 'azurite'), blobPort, tablePort, queuePort });
  const blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort }, rng.fork('blob-proxy'), 'blob');
  const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort }, rng.fork('table-proxy'), 'table');
  const ingress = new ChaosProxy({ host: '127.0.0.1', port: hostPort }, rng.fork('ingress-proxy'), 'ingress');
  const via = connectionStringFor(await blobProxy.listen(), await tableProxy.listen());
  const host = new HostProcess({
    root,
    port: hostPort,
    logFile: join(workDir, 'host.log'),
    env: {
      // Not UseDevelopmentStorage: the dev host then starts no Azurite of its own.
      DATA_STORAGE_CONNECTION_STRING: via,
      RAW_CONTAINER: container,
      IDEMPOTENCY_TABLE: table,
      STORAGE_TIMEOUT_MS: String(o.storageTimeoutMs),
      RETRY_AFTER_SECONDS: String(o.retryAfterSeconds),
      DEVICES_TABLE: devicesTable,
      INGEST_AUTH: o.auth ? 'on' : 'off',
      ...o.hostEnv,
    },
  });
  const events: Record<string, number> = {};
  const ledger = new Ledger();
  const gateways: Gateway[] = [];
  const devices: Device[] = [];
  const runs: Promise<void>[] = [];
  let maxBacklog = 0;
  let sampler: NodeJS.Timeout | undefined;
  let progress: NodeJS.Timeout | undefined;
  let aborted = false;
  const teardown = async () => {
    aborted = true;
    clearInterval(sampler);
    clearInterval(progress);
    for (const g of gateways) g.stop();
    await Promise.allSettled(runs);
    await host.stop();
    await Promise.allSettled([ingress.close(), blobProxy.close(), tableProxy.close()]);
    await azurite.close();
  };
  running.add(teardown);

  try {
    await azurite.start();
    const keys = new Map<string, string>();
    if (o.auth) {
      const clients = createStorageClients(
        loadConfig({
          DATA_STORAGE_CONNECTION_STRING: connectionStringFor(blobPort, tablePort),
          RAW_CONTAINER: container,
          IDEMPOTENCY_TABLE: table,
          DEVICES_TABLE: devicesTable,
        }),
      );
      await ensureStorageResources(clients);
      const registry = new TableDeviceRegistry(clients.devicesTable, 10_000);
      for (const id of deviceIds) keys.set(id, await addDevice(registry, id, 'oil-condition-v1'));
    }
    await host.start();
    const ingressPort = await ingress.listen();
    log(
      `azurite blob :${blobPort} table :${tablePort}; host :${hostPort}; gateways -> :${ingressPort}; work ${workDir}`,
    );

    // Gateways and devices.
    for (const [d, deviceId] of deviceIds.entries()) {
      const twin = d < o.twinDevices;
      const own = (twin ? ['a', 'b'] : ['']).map(
        (suffix) =>
          new Gateway({
            deviceId,
            name: suffix ? `${deviceId}#${suffix}` : deviceId,
            dir: join(workDir, 'buffers', suffix ? `${deviceId}-${suffix}` : deviceId),
            baseUrl: () => `http://127.0.0.1:${ingressPort}`,
            rng: rng.fork(`gateway-${deviceId}-${suffix}`),
            policy: o.policy,
            ledger,
            deviceKey: o.deviceKey?.(deviceId) ?? keys.get(deviceId),
          }),
      );
      gateways.push(...own);
      devices.push(
        new Device(deviceId, own, ledger, rng.fork(`device-${deviceId}`), {
          largeFileRate: o.largeFileRate,
          normalReadings: [5, 120],
          largeReadings: [1500, 6000],
        }),
      );
    }
    sampler = setInterval(() => {
      maxBacklog = Math.max(
        maxBacklog,
        gateways.reduce((n, g) => n + g.backlog, 0),
      );
    }, 100);
    if (o.progressEveryMs)
      progress = setInterval(() => {
        const produced = devices.reduce((n, d) => n + d.produced, 0);
        const deleted = gateways.reduce((n, g) => n + g.stats.deleted, 0);
        const backlog = gateways.reduce((n, g) => n + g.backlog, 0);
        log(
          `${Math.round((Date.now() - started) / 1000)}s: produced ${produced}/${o.devices * o.filesPerDevice}, copies deleted ${deleted}, backlog ${backlog}, host starts ${host.starts}`,
        );
      }, o.progressEveryMs);

    // Per-request faults: one guaranteed instance of each kind first, then the seeded probabilistic ones.
    installRequestFaults(o, ingress, blobProxy, tableProxy, ops);

    for (const g of gateways) runs.push(g.run());
    const productionStart = Date.now();
    const producers = Promise.all(
      devices.map(async (device, i) => {
        const prng = rng.fork(`producer-${i}`);
        const gap = o.productionMs / o.filesPerDevice;
        for (let n = 0; n < o.filesPerDevice && !aborted; n++) {
          await sleep(gap * prng.float(0.5, 1.5));
          await device.produceOne();
        }
      }),
    );

    // Crash events, one at a time, while files are produced; the guaranteed ones early and closer together.
    const chaos = (async () => {
      const erng = rng.fork('events');
      const pending: CrashEvent[] = o.everyFaultOnce ? shuffled(erng, CRASH_EVENTS) : [];
      const end = productionStart + o.productionMs;
      const guaranteedGap = Math.min(o.eventGapMs, o.productionMs / (CRASH_EVENTS.length + 2));
      while (!aborted) {
        await sleep((pending.length ? guaranteedGap : o.eventGapMs) * erng.float(0.5, 1.5));
        if (Date.now() > end && pending.length === 0) break;
        const kind = pending.shift() ?? erng.pick(CRASH_EVENTS);
        const eventStart = Date.now();
        const happened = await runEvent(kind, erng);
        if (happened) events[kind] = (events[kind] ?? 0) + 1;
        // A held-PUT crash needs a PUT to hold: try again later while files are still coming.
        else if (o.everyFaultOnce && !events[kind] && Date.now() < end) pending.push(kind);
        log(
          `${((eventStart - started) / 1000).toFixed(1)}s: ${kind}${happened ? '' : ' (not triggered)'}, ${((Date.now() - eventStart) / 1000).toFixed(1)}s`,
        );
      }
    })();

    async function restartHost(erng: Rng): Promise<void> {
      ingress.refuse(); // host down: gateways now get ECONNREFUSED
      await sleep(erng.int(200, 1500));
      await host.start();
      await ingress.accept();
    }

    async function runEvent(kind: CrashEvent, erng: Rng): Promise<boolean> {
      switch (kind) {
        case 'hostKill':
          await sleep(erng.int(0, 1000));
          await host.kill();
          await restartHost(erng);
          return true;
        case 'hostKillBeforeBlobPut':
        case 'hostKillAfterBlobPut': {
          // Hold a blob PUT (before forwarding it, or after Azurite answered it) and SIGKILL the host meanwhile.
          const before = kind === 'hostKillBeforeBlobPut';
          let trigger!: () => void;
          const triggered = new Promise<void>((resolve) => (trigger = resolve));
          // First in line, ahead of the probabilistic rules.
          const rule = blobProxy.add(
            {
              label: before ? 'heldBeforePut' : 'heldAfterPut',
              match: ops.blobPut,
              fault: before ? ChaosFault.DelayRequest : ChaosFault.Delay,
              delayMs: 5000,
              times: 1,
              onFault: (phase) => {
                if (phase === (before ? 'matched' : 'answered')) trigger();
              },
            },
            { first: true },
          );
          const fired = await Promise.race([triggered.then(() => true), sleep(15_000).then(() => false)]);
          blobProxy.remove(rule);
          if (!fired) return false;
          await host.kill();
          await restartHost(erng);
          return true;
        }
        case 'azuritePause':
          azurite.pause();
          await sleep(erng.int(1000, 4000));
          azurite.resume();
          return true;
        case 'azuriteRestart':
          await azurite.restart(erng.int(200, 1500));
          return true;
      }
    }

    // Handled here too, so a failure in one is not an unhandled rejection while awaiting the other.
    producers.catch(() => undefined);
    chaos.catch(() => undefined);
    await producers;
    await chaos;

    // Lift every fault and let the gateways drain.
    ingress.clear();
    blobProxy.clear();
    tableProxy.clear();
    azurite.resume();
    if (!host.running) await host.start();
    await ingress.accept();
    log(`faults lifted after ${Math.round((Date.now() - started) / 1000)}s; draining`);
    const drainDeadline = Date.now() + o.drainTimeoutMs;
    while (!aborted && gateways.some((g) => g.backlog > 0) && Date.now() < drainDeadline) await sleep(100);
    if (aborted) throw new Error('simulation aborted');
    const drained = gateways.every((g) => g.backlog === 0);
    for (const g of gateways) g.stop();
    await Promise.all(runs);
    clearInterval(sampler);
    clearInterval(progress);

    // The sweep settles every claim: each has its blob now, so none may stay pending after it.
    const direct = connectionStringFor(blobPort, tablePort);
    const swept = await sweepOver(
      createStorageClients(
        loadConfig({
          DATA_STORAGE_CONNECTION_STRING: direct,
          RAW_CONTAINER: container,
          IDEMPOTENCY_TABLE: table,
          DEVICES_TABLE: devicesTable,
        }),
      ),
      { storageTimeoutMs: 30_000, orphanAfterMs: 6 * 3_600_000 },
    );
    log(`final sweep: ${swept.confirmed} confirmed, ${swept.stillPending} still pending`);
    const storage = await readStorage(direct, container, table);
    const result = verdict(ledger.all(), storage);

    const faults: Record<string, number> = {};
    for (const proxy of [ingress, blobProxy, tableProxy])
      for (const [label, n] of Object.entries(proxy.counts)) faults[`${proxy.name}.${label}`] = n;
    for (const [kind, n] of Object.entries(events)) faults[`event.${kind}`] = n;
    faults['event.hostSigkills'] = host.kills;
    faults['event.azuriteForcedKills'] = azurite.forcedKills;

    const outcomes = gateways.reduce((sum, g) => {
      for (const [k, v] of Object.entries(g.stats.outcomes)) sum[k as AttemptOutcome] += v;
      return sum;
    }, newOutcomes());
    const summary: RunSummary = {
      verdict: result,
      faults,
      outcomes,
      hostOutcomes: { ...host.outcomes },
      requests: gateways.reduce((n, g) => n + g.stats.requests, 0),
      maxBacklog,
      maxGatewayBacklog: Math.max(...gateways.map((g) => g.stats.maxBacklog)),
      maxFileLatencyMs: Math.max(...gateways.map((g) => g.stats.maxFileLatencyMs)),
      durationMs: Date.now() - started,
      drained,
      workDir,
    };
    const printed = formatReport(summary, {
      devices: o.devices,
      gateways: gateways.length,
      twinDevices: o.twinDevices,
      pendingEntries: result.pendingEntries,
      entities: storage.entities.length,
    });
    return { ...summary, table: printed };
  } finally {
    await teardown();
    running.delete(teardown);
    if (!o.keepWorkDir && !o.workDir) rmSync(workDir, { recursive: true, force: true });
  }
}

const running = new Set<() => Promise<void>>();

/** Stops every run still going in this process (its children included): for a test's afterAll after a timeout. */
export async function abortRunningScenarios(): Promise<void> {
  await Promise.allSettled([...running].map((teardown) => teardown()));
}

function installRequestFaults(
  o: ScenarioOptions,
  ingress: ChaosProxy,
  blobProxy: ChaosProxy,
  tableProxy: ChaosProxy,
  ops: ReturnType<typeof storageMatchers>,
): void {
  const ingest = (r: ProxiedRequest) => r.method === 'POST' && r.path.startsWith('/api/ingest/');
  const ingressRules: Array<Omit<ChaosRule, 'match'>> = [
    { label: 'reset', fault: ChaosFault.Reset },
    { label: 'dropResponse', fault: ChaosFault.DropResponse },
    // Past the client timeout: the server has acted, the gateway gave up waiting.
    { label: 'slowResponse', fault: ChaosFault.Delay, delayMs: o.policy.timeoutMs + 1000 },
    { label: 'truncatedBody', fault: ChaosFault.TruncateBody },
  ];
  const storageRules: Array<Omit<ChaosRule, 'match'>> = [
    { label: 'status500', fault: ChaosFault.Status500, headers: { 'x-ms-error-code': 'InternalError' } },
    { label: 'status503', fault: ChaosFault.Status503, headers: { 'x-ms-error-code': 'ServerBusy' } },
    { label: 'hang', fault: ChaosFault.Hang },
    // The operation lands, its answer comes after the host's storage deadline.
    { label: 'slow', fault: ChaosFault.Delay, delayMs: o.storageTimeoutMs + 500 },
    { label: 'dropResponse', fault: ChaosFault.DropResponse },
  ];
  const install = (
    proxy: ChaosProxy,
    match: (r: ProxiedRequest) => boolean,
    rules: Array<Omit<ChaosRule, 'match'>>,
  ) => {
    if (o.everyFaultOnce) for (const rule of rules) proxy.add({ ...rule, match, times: 1 });
    for (const rule of rules) proxy.add({ ...rule, match, probability: o.faultRate / rules.length });
  };
  install(ingress, ingest, ingressRules);
  install(blobProxy, ops.blobOp, storageRules);
  install(tableProxy, ops.tableOp, storageRules);
}
