/**
 * `npm run bench`: every number is measured side by side in this one run, and what matters is the
 * ratios (these machines are small and noisy). Three questions:
 *   1. Cold start: loading the build-time standalone validators vs compiling the schemas with Ajv.
 *   2. Hot path: is validation a meaningful share of a request, next to parsing, hashing and storage?
 *   3. Storage round trips per outcome (counted on the wire, not timed).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { md5, sha256Hex } from '../../shared/hash';
import { checkJsonStructure } from '../../shared/jsonStructure';
import type { IngestRequest } from '../../shared/ingest';
import { createRuntime } from '../../shared/runtime';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { compileModels, validatorOf } from '../../shared/validation/compileValidators';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';
import { readModelSchemas } from '../../shared/validation/modelSchemas';
import { connectionStringFor, startAzurite } from '../../scripts/lib/azurite';
import { addDevice } from '../../shared/auth/deviceAdmin';
import { ChaosProxy, type ProxyLogEntry } from './faults/faultProxy';
import { REPO_ROOT } from '../../scripts/lib/repoRoot';

const root = REPO_ROOT;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

/** Child mode: measure one cold load in a fresh process and print milliseconds. */
function child(mode: string): void {
  const started = process.hrtime.bigint();
  if (mode === 'standalone') {
    loadGeneratedValidator();
  } else {
    const compiled = compileModels(readModelSchemas());
    for (const { model } of readModelSchemas()) validatorOf(compiled.first, model);
  }
  console.log(Number(process.hrtime.bigint() - started) / 1e6);
}

function coldStart(runs: number): { standalone: number; compile: number } {
  const samples: Record<'standalone' | 'compile', number[]> = { standalone: [], compile: [] };
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  for (let i = 0; i < runs; i++) {
    // Interleaved, so drift on a noisy machine hits both sides alike.
    for (const mode of ['standalone', 'compile'] as const) {
      samples[mode].push(
        Number(execFileSync(tsx, [__filename, '--child', mode], { cwd: root }).toString().trim()),
      );
    }
  }
  return { standalone: median(samples.standalone), compile: median(samples.compile) };
}

function timePerOp(fn: () => void, minMs = 300): number {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    fn();
    n++;
  }
  return (performance.now() - started) / n;
}

function payload(deviceId: string, readings: number, seed: number): string {
  return JSON.stringify({
    deviceId,
    sentAt: new Date(Date.UTC(2026, 10, 25, 8, 0, seed % 60)).toISOString(),
    sequence: seed,
    readings: Array.from({ length: readings }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 10, 25, 8, 0, 0, i * 1000)).toISOString(),
      oilTemperatureC: 80 + (i % 20) / 2,
      densityKgM3: 870 + (i % 7) / 10,
      viscosityCSt: 95 + (i % 11) / 10,
    })),
  });
}

const deviceKeys = new Map<string, string>();

function request(deviceId: string, body: string): IngestRequest {
  return {
    method: 'POST',
    deviceId,
    contentType: 'application/json',
    contentLength: String(Buffer.byteLength(body)),
    contentEncoding: null,
    authorization: `Bearer ${deviceKeys.get(deviceId)}`,
    deviceKey: null,
    idempotencyKey: null,
    forwardedFor: '127.0.0.1',
    body: (async function* () {
      yield Buffer.from(body);
    })(),
  };
}

async function main(): Promise<void> {
  console.log('Benchmark (2-core machine: read the ratios, not the absolute numbers)\n');

  const cold = coldStart(7);
  console.log('1. Cold start: make the validators ready in a fresh process (median of 7, interleaved)');
  console.log(`   standalone code generated at build time : ${fmt(cold.standalone)}`);
  console.log(`   Ajv compile of the schemas at start-up  : ${fmt(cold.compile)}`);
  console.log(
    `   ratio compile / standalone              : ${(cold.compile / cold.standalone).toFixed(1)}x\n`,
  );

  const azurite = await startAzurite({ inMemory: true });
  const wire: ProxyLogEntry[] = [];
  const tableProxy = new ChaosProxy({ host: '127.0.0.1', port: azurite.tablePort }, undefined, 'table', wire);
  const blobProxy = new ChaosProxy({ host: '127.0.0.1', port: azurite.blobPort }, undefined, 'blob', wire);
  try {
    const settings = { RAW_CONTAINER: 'bench', IDEMPOTENCY_TABLE: 'bench', RATE_LIMIT_PER_MINUTE: '0' };
    const direct = createStorageClients(
      loadConfig({ DATA_STORAGE_CONNECTION_STRING: azurite.connectionString, ...settings }),
    );
    await ensureStorageResources(direct);
    // Real device keys: the measured path includes authentication (through the registry cache).
    const registry = new TableDeviceRegistry(direct.devicesTable, 10_000);
    for (const deviceId of [...Array.from({ length: 10 }, (_, i) => `truck-${i}`), 'truck-rt']) {
      deviceKeys.set(deviceId, await addDevice(registry, deviceId, 'oil-condition-v1'));
    }
    const via = connectionStringFor(await blobProxy.listen(), await tableProxy.listen());
    const runtime = createRuntime(loadConfig({ DATA_STORAGE_CONNECTION_STRING: via, ...settings }));
    const validator = loadGeneratedValidator();

    const sample = readFileSync(join(root, 'docs', 'samples', 'oil-condition.json'));
    const big = Buffer.from(payload('truck-1', 1000, 0));
    console.log('2. Hot path, per request (same payloads, side by side)');
    for (const [label, bytes] of [
      [`sample file (${sample.byteLength} B)`, sample],
      [`1000 readings (${(big.byteLength / 1024).toFixed(0)} KiB)`, big],
    ] as const) {
      const parsed: unknown = JSON.parse(bytes.toString());
      const parse = timePerOp(() => JSON.parse(bytes.toString()));
      const validate = timePerOp(() => validator.validate('oil-condition-v1', parsed, bytes.byteLength));
      const scan = timePerOp(() => checkJsonStructure(bytes.toString(), 64));
      const hash = timePerOp(() => {
        sha256Hex(bytes);
        md5(bytes);
      });
      console.log(
        `   ${label}: JSON.parse ${fmt(parse)}, key/depth scan ${fmt(scan)}, validate ${fmt(validate)}, sha256+md5 ${fmt(hash)}`,
      );
    }

    const n = 150;
    const bodies = Array.from({ length: n }, (_, i) => payload(`truck-${i % 10}`, 20, i));
    const newTimes: number[] = [];
    const dupTimes: number[] = [];
    for (const [i, body] of bodies.entries()) {
      const t0 = performance.now();
      await runtime.ingest.ingest(request(`truck-${i % 10}`, body));
      newTimes.push(performance.now() - t0);
    }
    for (const [i, body] of bodies.entries()) {
      const t0 = performance.now();
      await runtime.ingest.ingest(request(`truck-${i % 10}`, body));
      dupTimes.push(performance.now() - t0);
    }
    const small = Buffer.from(bodies[0]!);
    const parsedSmall: unknown = JSON.parse(small.toString());
    const validateSmall = timePerOp(() =>
      validator.validate('oil-condition-v1', parsedSmall, small.byteLength),
    );
    console.log(
      `   full ingest against Azurite, ${n} new files of 20 readings: median ${fmt(median(newTimes))}`,
    );
    console.log(
      `   validation share of a new request: ${((validateSmall / median(newTimes)) * 100).toFixed(2)}%\n`,
    );

    console.log('3. Storage round trips per request (counted at a proxy in front of Azurite)');
    console.log(
      "   (a device's first request per cache TTL adds one registry read, and at most every 5 min a last-used write)",
    );
    const count = async (label: string, body: string, device: string) => {
      wire.length = 0;
      const outcome = await runtime.ingest.ingest(request(device, body));
      const calls = wire.map((e) => `${e.method} ${e.via}`);
      const writes = wire.filter((e) => e.method !== 'GET' && e.method !== 'HEAD').length;
      console.log(
        `   ${label.padEnd(16)} -> ${outcome.status.padEnd(9)} ${calls.length} round trips (${writes} writes): ${calls.join(', ')}`,
      );
    };
    await count('cold device', payload('truck-rt', 5, 998), 'truck-rt');
    const fresh = payload('truck-rt', 5, 999);
    await count('new file', fresh, 'truck-rt');
    await count('first resend', fresh, 'truck-rt');
    await count('later resend', fresh, 'truck-rt');
    console.log(
      `\n   resend latency vs new (median, ${n} each): ${(median(dupTimes) / median(newTimes)).toFixed(2)}x`,
    );
  } finally {
    await blobProxy.close();
    await tableProxy.close();
    await azurite.stop();
  }
}

const childMode = process.argv.indexOf('--child');
if (childMode >= 0) child(process.argv[childMode + 1] ?? 'standalone');
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
