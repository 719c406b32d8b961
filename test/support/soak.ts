/**
 * `npm run soak -- --devices 20 --files 10000 --fault-rate 0.2 --duration 10m`
 *
 * A long gateway simulation against the real dev host and Azurite with faults in between (see
 * test/support/simulator/scenario.ts and docs/DELIVERY.md). Prints the report table; exits 1 on any loss,
 * duplicate or undelivered file. Needs a build (`npm run soak` builds first).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, runScenario } from './simulator/scenario';

function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (e.g. 90s, 10m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * unit);
}

function number(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

const usage = `npm run soak -- [--devices 20] [--files 10000] [--fault-rate 0.2] [--duration 10m]
  [--seed 1] [--twins 2] [--large-rate 0.02] [--event-gap 20s] [--client-timeout 3000]
  [--storage-timeout 1500] [--drain-timeout 5m] [--work-dir DIR] [--keep] [--no-auth]

Devices are registered with real keys and the host runs with INGEST_AUTH=on unless --no-auth.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '20' },
      files: { type: 'string', default: '10000' },
      'fault-rate': { type: 'string', default: '0.2' },
      duration: { type: 'string', default: '10m' },
      seed: { type: 'string', default: '1' },
      twins: { type: 'string', default: '2' },
      'large-rate': { type: 'string', default: '0.02' },
      'event-gap': { type: 'string', default: '20s' },
      'client-timeout': { type: 'string', default: '3000' },
      'storage-timeout': { type: 'string', default: '1500' },
      'drain-timeout': { type: 'string', default: '5m' },
      'work-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-auth': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const devices = number(values.devices, 'devices');
  const files = number(values.files, 'files');
  const faultRate = number(values['fault-rate'], 'fault-rate');
  if (devices < 1 || files < devices || faultRate > 1) throw new Error(`bad settings\n${usage}`);
  const settings = {
    seed: number(values.seed, 'seed'),
    devices,
    filesPerDevice: Math.ceil(files / devices),
    twinDevices: Math.min(devices, number(values.twins, 'twins')),
    productionMs: duration(values.duration),
    faultRate,
    eventGapMs: duration(values['event-gap']),
    everyFaultOnce: true,
    auth: !values['no-auth'],
    largeFileRate: number(values['large-rate'], 'large-rate'),
    policy: {
      ...DEFAULT_OPTIONS.policy,
      capMs: 10_000,
      timeoutMs: number(values['client-timeout'], 'client-timeout'),
    },
    storageTimeoutMs: number(values['storage-timeout'], 'storage-timeout'),
    retryAfterSeconds: 1,
    drainTimeoutMs: duration(values['drain-timeout']),
    workDir: values['work-dir'],
    keepWorkDir: values.keep,
    progressEveryMs: 30_000,
    log: (line: string) => console.log(`[soak] ${line}`),
  };
  console.log(`[soak] settings: ${JSON.stringify({ ...settings, log: undefined })}`);
  const result = await runScenario(settings);
  console.log(`\n${result.table}\n`);
  if (!result.verdict.ok) {
    console.error(`[soak] FAIL; host log and buffers kept in ${result.workDir}`);
    process.exitCode = 1;
  }
}

// Ctrl-C: exit at once; the host and Azurite children are SIGKILLed by their exit hooks.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`[soak] ${signal}: stopping`);
    process.exit(130);
  });

main().catch((err: unknown) => {
  console.error(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(2);
});
