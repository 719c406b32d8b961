import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  abortRunningScenarios,
  CRASH_EVENTS,
  INGRESS_FAULTS,
  runScenario,
  type ScenarioResult,
  STORAGE_FAULTS,
} from '../support/simulator/scenario';
import { describeWithAzurite } from '../helpers/azurite';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/**
 * Issue 5: "nothing lost, nothing duplicated", shown end to end. Six simulated gateways (five devices,
 * one of them sent by two gateways at once from copies of the same buffer) post 1,000 files to the
 * real dev host in its own process, over the real SDKs to a real Azurite with on-disk data, while
 * faults are injected between every pair: resets, lost answers, slow answers, truncated bodies and
 * refused connections in front of the host; 500/503, hangs, late answers and lost answers in front
 * of Azurite; the host SIGKILLed at random, between the idempotency insert and the blob PUT, and
 * after the PUT before answering; Azurite paused (SIGSTOP) and restarted in place. Seeded, so the
 * files, the fault draws and the event order are the same each run.
 *
 * Fails on any file lost, stored twice, deleted without being stored, or a blob nobody produced.
 */
describeWithAzurite('delivery guarantees: gateways under faults, every file stored exactly once', () => {
  let result: ScenarioResult;

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'main.js'))) {
      execFileSync(tsx, [join(root, 'scripts', 'build', 'buildValidators.ts')], { cwd: root });
      execFileSync(tsx, [join(root, 'scripts', 'build', 'bundle.ts')], { cwd: root });
    }
    result = await runScenario({
      seed: 20261125,
      devices: 5,
      filesPerDevice: 200,
      twinDevices: 1,
      productionMs: 30_000,
      faultRate: 0.05,
      eventGapMs: 4000,
      everyFaultOnce: true,
      drainTimeoutMs: 60_000,
    });
    console.log(`delivery guarantees run:\n${result.table}`);
  }, 170_000);

  // Normally the run has stopped its host and Azurite itself; after a timeout this stops them.
  afterAll(() => abortRunningScenarios(), 60_000);

  test('every produced file is stored exactly once, and nothing else is stored', () => {
    expect(result.verdict.violations).toEqual([]);
    expect(result.verdict).toMatchObject({
      ok: true,
      filesProduced: 1000,
      copiesProduced: 1200,
      blobsStored: 1000,
      lost: 0,
      duplicated: 0,
      unexpectedBlobs: 0,
      deletedNotStored: 0,
    });
  });

  test('every copy was acknowledged and deleted; no valid file was refused', () => {
    expect(result.drained).toBe(true);
    expect(result.verdict).toMatchObject({ copiesDeleted: 1200, undelivered: 0, quarantined: 0 });
    expect(result.outcomes.status4xx).toBe(0);
  });

  test('every fault kind and crash event happened at least once', () => {
    const expected = [
      ...INGRESS_FAULTS.map((f) => `ingress.${f}`),
      ...STORAGE_FAULTS.flatMap((f) => [`blob.${f}`, `table.${f}`]),
      ...CRASH_EVENTS.map((e) => `event.${e}`),
      'blob.heldBeforePut',
      'blob.heldAfterPut',
    ];
    expect(expected.filter((kind) => !(result.faults[kind]! >= 1))).toEqual([]);
    expect(result.faults['event.hostSigkills']).toBeGreaterThanOrEqual(3);
    // Azurite was always stopped gracefully: a SIGKILLed Azurite may forget its last seconds of writes.
    expect(result.faults['event.azuriteForcedKills']).toBe(0);
    // The gateways saw the faults: refused while the host was down, resets, timeouts and 503s.
    for (const seen of ['refused', 'reset', 'timeout', 'status503'] as const)
      expect(result.outcomes[seen]).toBeGreaterThan(0);
  });

  test('files stored but not acknowledged came back as 200 duplicate, not as a second blob', () => {
    // Lost answers, late answers past the client timeout, the twin gateways and the host killed after
    // its PUT all leave a stored file the gateway still holds: its resend must be a duplicate.
    expect(result.outcomes.duplicate).toBeGreaterThan(0);
    expect(result.hostOutcomes.duplicate).toBeGreaterThan(0);
    expect(result.outcomes.stored + result.outcomes.duplicate).toBe(1200);
  });
});
