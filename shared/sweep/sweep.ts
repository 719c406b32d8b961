/**
 * The sweep: every claim comes to an end. Run on a timer (functions/sweep.ts), on demand
 * (`telemetry-ops sweep`) and before a coverage report. Per device it reads the unsettled claims'
 * markers (one RowKey range: as long as the backlog, not the history), judges each (judge.ts),
 * records the stored ones for the vendor, and settles them (settle.ts).
 *
 * Safe to run twice at once: a file is settled by one transaction that only one sweep can win; the
 * loser reads again and finds nothing left. Safe to crash anywhere: what was not settled is still
 * marked, and the confirmation record is written first (a crash lists a file twice, never not at
 * all). docs/DELIVERY.md#the-sweep has the crash-point table.
 */
import { mapConcurrently } from '../mapConcurrently';
import { judge, type Verdict } from './judge';
import { type Judged, settleFiles } from './settle';
import type { Confirmation, DeviceSweep, SweepDependencies, SweepResult } from './types';

/** A device whose settlement keeps losing races is left for the next run after this many rounds. */
const ROUNDS = 3;

export async function runSweep(deps: SweepDependencies): Promise<SweepResult> {
  const startedAt = deps.now();
  const concurrency = deps.concurrency ?? 8;
  const ids = await deps.devices();
  // One pass judges every device, one confirmation file lists every stored file of the run, then
  // each device settles: a vendor reads one file per run, not one per device.
  const judged = await mapConcurrently(ids, concurrency, (deviceId) => judgeDevice(deviceId, deps));
  const at = deps.now();
  await record(deps, judged.flat(), at);
  const devices = await mapConcurrently(
    ids.map((deviceId, i) => ({ deviceId, verdicts: judged[i]! })),
    concurrency,
    ({ deviceId, verdicts }) => settleDevice(deviceId, verdicts, at, deps),
  );
  const total = (field: 'confirmed' | 'orphaned' | 'stillPending') =>
    devices.reduce((n, d) => n + d[field], 0);
  return {
    startedAt: startedAt.toISOString(),
    confirmed: total('confirmed'),
    orphaned: total('orphaned'),
    stillPending: total('stillPending'),
    devices,
  };
}

/**
 * Settles one device's judged claims. A transaction that lost a race (another sweep, a resend) is
 * judged again: what the other settled is gone from the markers.
 */
async function settleDevice(
  deviceId: string,
  first: Verdict[],
  at: Date,
  deps: SweepDependencies,
): Promise<DeviceSweep> {
  const result: DeviceSweep = { deviceId, confirmed: 0, orphaned: 0, stillPending: 0, problems: [] };
  let verdicts = first;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      verdicts = await judgeDevice(deviceId, deps);
      await record(deps, verdicts, at);
    }
    const settled = verdicts.filter(
      (v): v is Judged & Verdict => v.kind === 'stored' || v.kind === 'orphaned',
    );
    result.stillPending = verdicts.length - settled.length;
    result.problems = verdicts.flatMap((v) => (v.kind === 'problem' ? [v.problem] : []));
    if (settled.length === 0) return result;
    const outcome = await settleFiles(deps.ledger, deviceId, settled, at);
    const nowStored = outcome.settled.filter((v) => v.kind === 'stored');
    result.confirmed += nowStored.length;
    result.orphaned += outcome.settled.length - nowStored.length;
    result.lastFileAt = latest(result.lastFileAt, ...nowStored.map((v) => v.claim.receivedAt));
    result.stillPending += settled.length - outcome.settled.length;
    if (!outcome.conflict) return result;
  }
  return result;
}

/**
 * The stored files among `verdicts` go into the confirmation record, and each device's newest one
 * onto its registry row (before they are settled).
 */
async function record(deps: SweepDependencies, verdicts: Verdict[], at: Date): Promise<void> {
  const stored = verdicts.filter((v): v is Judged & Verdict => v.kind === 'stored');
  if (stored.length === 0) return;
  await deps.confirmations.record(
    stored.map((v) => confirmationOf(v, at)),
    at,
  );
  const newest = new Map<string, string>();
  for (const { claim } of stored)
    newest.set(claim.deviceId, latest(newest.get(claim.deviceId), claim.receivedAt)!);
  const { lastFiles } = deps;
  if (lastFiles)
    await mapConcurrently([...newest], deps.concurrency ?? 8, ([deviceId, receivedAt]) =>
      lastFiles.record(deviceId, receivedAt),
    );
}

async function judgeDevice(deviceId: string, deps: SweepDependencies): Promise<Verdict[]> {
  const markers = await deps.ledger.markers(deviceId);
  const context = {
    ledger: deps.ledger,
    blobs: deps.blobs,
    now: deps.now(),
    orphanAfterMs: deps.orphanAfterMs,
  };
  return mapConcurrently(markers, deps.concurrency ?? 8, (marker) => judge(marker, context));
}

function confirmationOf({ claim }: Judged, at: Date): Confirmation {
  return {
    name: claim.blobName,
    deviceId: claim.deviceId,
    sha256: claim.sha256,
    sizeBytes: claim.sizeBytes,
    receivedAt: claim.receivedAt,
    confirmedAt: at.toISOString(),
  };
}

function latest(...times: Array<string | undefined>): string | undefined {
  return times
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
}
