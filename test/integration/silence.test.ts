/**
 * Device silence on Azurite, on an injected clock: the sweep records each device's newest confirmed
 * file on its registry row (a monotonic, ETag-conditional merge) and names the silent devices by the
 * alert's rule; `telemetry-ops silent --json` answers the same from Table Storage alone, counting a
 * file received since the last sweep.
 */
import { setExpectEvery } from '../../shared/auth/deviceAdmin';
import { silentCommand } from '../../scripts/ops/silent';
import { azuriteConnectionString, describeWithAzurite } from '../helpers/azurite';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-25T08:00:00Z');

describeWithAzurite('device silence on Azurite', () => {
  const now = { ms: T0 };
  const clock = () => new Date(now.ms);
  let app: TestApp;
  let sequence = 0;

  const send = async (deviceId: string, at: number) => {
    now.ms = at;
    const sentAt = new Date(at).toISOString();
    const response = await app.post(deviceId, oilPayload(deviceId, { sentAt, sequence: ++sequence }));
    expect(response.status).toBe(200);
  };
  const silentIds = async () => (await app.runtime.sweep()).silent.map((d) => d.deviceId);

  /** `telemetry-ops silent --json` in this process, on this app's storage and clock. */
  const opsSilent = async () => {
    const { config } = app.runtime;
    const saved = { ...process.env };
    Object.assign(process.env, {
      DATA_STORAGE_CONNECTION_STRING: azuriteConnectionString(),
      RAW_CONTAINER: config.rawContainer,
      IDEMPOTENCY_TABLE: config.idempotencyTable,
      DEVICES_TABLE: config.devicesTable,
    });
    delete process.env.DATA_STORAGE_ACCOUNT_NAME;
    const out: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    process.exitCode = undefined;
    try {
      await silentCommand({ now: clock }).exitOverride().parseAsync(['--json'], { from: 'user' });
      return { code: process.exitCode, lines: out };
    } finally {
      log.mockRestore();
      process.env = saved;
      process.exitCode = undefined;
    }
  };

  beforeAll(async () => {
    app = await createTestApp({}, azuriteConnectionString(), clock);
  });

  test('silent past the expected interval (2 h by default), not before, not after a week, never if it never sent', async () => {
    await send('truck-q1', T0 - 8 * 24 * HOUR); // last seen over a week ago: parked, not silent
    await send('truck-q2', T0);
    await send('truck-q3', T0);
    await app.keyFor('truck-q4'); // registered, never sent
    await app.keyFor('truck-q5');
    await setExpectEvery(app.registry, 'truck-q3', 30 * 60);
    await send('truck-q5', T0);
    await app.registry.setDisabled('truck-q5', true); // refused on purpose: not silent

    now.ms = T0 + 31 * MINUTE;
    expect(await silentIds()).toEqual(['truck-q3']);
    now.ms = T0 + 2 * HOUR;
    expect(await silentIds()).toEqual(['truck-q3']); // exactly the interval is not longer than it
    now.ms = T0 + 2 * HOUR + 1000;
    const run = await app.runtime.sweep();
    expect(run.silent).toEqual([
      {
        deviceId: 'truck-q2',
        lastFileAt: new Date(T0).toISOString(),
        silentForSeconds: 7201,
        expectEverySeconds: 7200,
      },
      {
        deviceId: 'truck-q3',
        lastFileAt: new Date(T0).toISOString(),
        silentForSeconds: 7201,
        expectEverySeconds: 1800,
      },
    ]);
    now.ms = T0 + 7 * 24 * HOUR + 1000;
    expect(await silentIds()).toEqual([]);
  }, 60_000);

  test('ops silent --json counts a file received since the last sweep, and names the rest', async () => {
    const t = T0 + 30 * 24 * HOUR;
    await send('truck-q6', t);
    await send('truck-q7', t);
    await app.runtime.sweep();
    await send('truck-q6', t + 2 * HOUR + 5 * MINUTE); // not swept yet
    now.ms = t + 2 * HOUR + 10 * MINUTE;
    const { code, lines } = await opsSilent();
    expect(code).toBe(1);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      silent: [
        {
          deviceId: 'truck-q7',
          lastFileAt: new Date(t).toISOString(),
          silentForSeconds: (2 * HOUR + 10 * MINUTE) / 1000,
          expectEverySeconds: 7200,
        },
      ],
    });
    expect(lines.join('\n')).toContain('truck-q7: nothing for 2 h 10 min (expected every 2 h 0 min)');
    expect((await app.registry.get('truck-q6'))?.lastFileAt).toBe(
      new Date(t + 2 * HOUR + 5 * MINUTE).toISOString(),
    );
  }, 60_000);

  test("the registry row's last file time only moves forward, however the writes interleave", async () => {
    await app.keyFor('truck-q8');
    const times = [5, 1, 9, 3, 7].map((m) => new Date(T0 + m * MINUTE).toISOString());
    const outcomes = await Promise.all(times.map((at) => app.registry.recordLastFile('truck-q8', at)));
    expect(outcomes).toContain('recorded');
    expect((await app.registry.get('truck-q8'))?.lastFileAt).toBe(times[2]);
    expect(await app.registry.recordLastFile('truck-q8', times[0]!)).toBe('unchanged');
    expect((await app.registry.get('truck-q8'))?.lastFileAt).toBe(times[2]);
    expect(await app.registry.recordLastFile('truck-nobody', times[0]!)).toBe('unregistered');
  }, 60_000);
});
