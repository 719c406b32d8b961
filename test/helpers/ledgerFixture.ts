/**
 * One device's ingest, sweep and ledger over the in-memory table that runs the real adapters, on a
 * test clock: what the sweep and coverage unit tests arrange their cases with.
 */
import { IngestService } from '../../shared/ingest';
import { parseHours } from '../../shared/ledger/dayRollup';
import { runSweep } from '../../shared/sweep/sweep';
import { deviceModelMapFor } from '../../shared/validation/deviceModels';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';
import { TestClock } from './clock';
import { ingestRequest } from './ingestRequest';
import { MemoryConfirmationLog, MemoryLedgerStore, memoryStores } from './memoryStores';
import { oilPayload } from './testApp';

const validator = loadGeneratedValidator();
const deviceModels = deviceModelMapFor(validator.models);
const DEVICE = 'truck-042';
const T0 = '2026-11-25T08:15:00.000Z';
const HOUR = 3_600_000;
const ORPHAN_AFTER = 6 * HOUR;
const IN_FLIGHT = 80_000;

/** The fixture's constants: its device, start time, orphan age and in-flight bound. */
export const LEDGER_FIXTURE = { DEVICE, T0, HOUR, ORPHAN_AFTER, IN_FLIGHT } as const;
/** A file with `readings` readings one minute apart from `first` (UTC), sent at `sentAt`. */
export function fileWith(
  first: string,
  readings: number,
  sentAt = first,
  extra: Record<string, unknown> = {},
): string {
  const start = Date.parse(first);
  return oilPayload(DEVICE, {
    sentAt,
    readings: Array.from({ length: readings }, (_, i) => ({
      timestamp: new Date(start + i * 60_000).toISOString(),
      oilTemperatureC: 80,
      densityKgM3: 870,
      viscosityCSt: 95,
    })),
    ...extra,
  });
}

export function ledgerFixture(devices = [DEVICE]) {
  const clock = new TestClock(T0);
  const { blobs, records, calls } = memoryStores(clock.now);
  const ledger = new MemoryLedgerStore(records);
  const confirmations = new MemoryConfirmationLog(calls);
  const service = new IngestService({
    rawContainer: 'raw',
    maxBodyBytes: 1024 * 1024,
    maxJsonDepth: 64,
    validator,
    deviceModels,
    blobs,
    records,
    claimInFlightMs: IN_FLIGHT,
    now: clock.now,
  });
  const send = (body: string, idempotencyKey: string | null = null) => {
    return service.ingest(ingestRequest(DEVICE, { body, idempotencyKey, forwardedFor: '203.0.113.9:5000' }));
  };
  // The registry rows' newest file per device, merged as the table adapter merges (never backwards).
  const lastFiles = new Map<string, string>();
  const lastFileLog = {
    record: async (deviceId: string, receivedAt: string) => {
      calls.push('lastFiles.record');
      if (!((lastFiles.get(deviceId) ?? '') >= receivedAt)) lastFiles.set(deviceId, receivedAt);
    },
  };
  const sweep = () =>
    runSweep({
      ledger,
      blobs,
      confirmations,
      lastFiles: lastFileLog,
      devices: async () => devices,
      orphanAfterMs: ORPHAN_AFTER,
      now: clock.now,
    });
  const rows = (prefix: string) => records.table.all().filter((r) => r.rowKey.startsWith(prefix));
  const hoursOf = (day: string) => parseHours(rows(`~~d~${day}`)[0]?.hours as string | undefined);
  return { clock, blobs, records, ledger, confirmations, lastFiles, calls, send, sweep, rows, hoursOf };
}
