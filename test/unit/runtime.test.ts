/**
 * createRuntime wires the settings into the request path. Without storage (nothing listens on the
 * configured endpoints) a request refused before storage still shows the wiring: which limits are
 * on, which clock they use, and whether keys are checked.
 */
import { loadConfig } from '../../shared/config';
import { StorageUnavailableError } from '../../shared/errors';
import type { AuthenticatorOptions } from '../../shared/auth/authenticateDevice';
import type { IngestDependencies, IngestRequest } from '../../shared/ingest';
import { createRuntime, getRuntime, type Runtime } from '../../shared/runtime';
import { errorToHttp } from '../../shared/toHttpResponse';
import { TestClock } from '../helpers/clock';
import { ingestRequest } from '../helpers/ingestRequest';

/** Loopback endpoints where nothing listens: the SDK clients are built, and never answered. */
const NOWHERE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;' +
  'BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1';

function runtime(settings: Record<string, string>, clock = new TestClock()) {
  const warnings: string[] = [];
  const config = loadConfig({
    DATA_STORAGE_CONNECTION_STRING: NOWHERE,
    STORAGE_TIMEOUT_MS: '100',
    ...settings,
  });
  const built = createRuntime(config, { now: clock.now, warn: (m) => warnings.push(m) });
  return { runtime: built, warnings, clock };
}

/**
 * A text/plain upload: refused with 415 after the key check and the rate limit, before the body or
 * storage. Answers with the status (and error code) the gateway would see.
 */
async function send(target: Runtime, overrides: Partial<IngestRequest> = {}) {
  const request = ingestRequest('truck-042', {
    contentType: 'text/plain',
    forwardedFor: '203.0.113.9:50123',
    body: null,
    ...overrides,
  });
  try {
    await target.ingest.ingest(request);
    return 'stored';
  } catch (err) {
    const { status, jsonBody } = errorToHttp(err, 5);
    return `${status} ${(jsonBody as { error: string }).error}`;
  }
}

describe('createRuntime', () => {
  test('keeps the config it was given', () => {
    const config = loadConfig({ DATA_STORAGE_CONNECTION_STRING: NOWHERE });
    expect(createRuntime(config, { warn: () => undefined }).config).toBe(config);
  });

  test('with INGEST_AUTH=off: a loud warning, and no key is asked for', async () => {
    const { runtime: target, warnings } = runtime({ INGEST_AUTH: 'off' });
    expect(warnings).toEqual([
      '\n*** WARNING: INGEST_AUTH=off - device keys are NOT checked; anyone can write under any device id. ' +
        'Local development only. ***\n',
    ]);
    expect(await send(target)).toBe('415 unsupported_media_type');
  });

  test('with keys on: no warning, and a request without a key is refused', async () => {
    const { runtime: target, warnings } = runtime({});
    expect(warnings).toEqual([]);
    expect(await send(target)).toBe('401 missing_credentials');
  });

  test('the per-device rate limit, on its injected clock', async () => {
    const { runtime: target, clock } = runtime({
      INGEST_AUTH: 'off',
      RATE_LIMIT_PER_MINUTE: '60',
      RATE_LIMIT_BURST: '1',
    });
    expect(await send(target)).toBe('415 unsupported_media_type');
    expect(await send(target)).toBe('429 rate_limited');
    expect(await send(target, { deviceId: 'truck-043' })).toBe('415 unsupported_media_type');
    clock.advance(1000);
    expect(await send(target)).toBe('415 unsupported_media_type');
  });

  test('RATE_LIMIT_PER_MINUTE=0 turns the rate limit off', async () => {
    const { runtime: target } = runtime({
      INGEST_AUTH: 'off',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_BURST: '1',
    });
    for (let i = 0; i < 3; i++) expect(await send(target)).toBe('415 unsupported_media_type');
  });

  test('a spent failed-key budget never turns into 429: requests without a key stay 401 (issue 18, NAT)', async () => {
    const { runtime: target } = runtime({ AUTH_FAILURES_PER_MINUTE: '60', AUTH_FAILURE_BURST: '1' });
    for (let i = 0; i < 3; i++) expect(await send(target)).toBe('401 missing_credentials');
  });

  test('sweep runs over storage: unreachable, it fails as StorageUnavailableError', async () => {
    const { runtime: target } = runtime({});
    await expect(target.sweep()).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  test('BODY_IDLE_TIMEOUT_SECONDS reaches the body reader: a body that stalls is a 408', async () => {
    jest.useFakeTimers();
    try {
      const { runtime: target } = runtime({ INGEST_AUTH: 'off', BODY_IDLE_TIMEOUT_SECONDS: '1' });
      const stalled = (async function* () {
        yield Buffer.from('{"deviceId":');
        await new Promise(() => undefined);
      })();
      const answer = send(target, { contentType: 'application/json', body: stalled });
      await jest.advanceTimersByTimeAsync(1000);
      expect(await answer).toBe('408 body_timeout');
    } finally {
      jest.useRealTimers();
    }
  });

  /**
   * What the composition root handed the service and the authenticator, read from their (private)
   * fields: the settings that only show against live storage (a claim's in-flight bound, the
   * unknown-id guard) are checked where they are wired.
   */
  const wiring = (target: Runtime) => {
    const deps = (target.ingest as unknown as { deps: IngestDependencies }).deps;
    const auth = deps.authenticator as unknown as { options: AuthenticatorOptions } | undefined;
    return { deps, auth: auth?.options };
  };

  test('a claim stays in flight for twice the storage deadline and a minute more', () => {
    const { deps } = wiring(runtime({ STORAGE_TIMEOUT_MS: '2500' }).runtime);
    expect(deps.claimInFlightMs).toBe(65_000);
  });

  test('resends are remembered unless told not to; the service and the keys run on the runtime clock', () => {
    const clock = new TestClock('2026-11-25T08:15:00Z');
    const { deps, auth } = wiring(runtime({ DEVICE_KEY_HEADER: 'x-api-key' }, clock).runtime);
    expect(deps.settled).toBeDefined();
    expect(deps.now?.().toISOString()).toBe('2026-11-25T08:15:00.000Z');
    expect(auth?.now?.().toISOString()).toBe('2026-11-25T08:15:00.000Z');
    expect(auth?.deviceKeyHeader).toBe('x-api-key');
    const config = loadConfig({ DATA_STORAGE_CONNECTION_STRING: NOWHERE });
    const quiet = { warn: () => undefined };
    expect(wiring(createRuntime(config, { ...quiet, rememberSettled: false })).deps.settled).toBeUndefined();
    const systemNow = wiring(createRuntime(config, quiet)).deps.now!().getTime();
    expect(Math.abs(systemNow - Date.now())).toBeLessThan(60_000);
  });

  test('unknown ids are budgeted per address unless AUTH_FAILURES_PER_MINUTE=0', () => {
    const guarded = wiring(runtime({ AUTH_FAILURES_PER_MINUTE: '60', AUTH_FAILURE_BURST: '2' }).runtime).auth;
    expect(guarded?.unknownIds?.budget.take('203.0.113.9').allowed).toBe(true);
    expect(guarded?.unknownIds?.budget.take('203.0.113.9').allowed).toBe(true);
    expect(guarded?.unknownIds?.budget.take('203.0.113.9').allowed).toBe(false);
    expect(wiring(runtime({ AUTH_FAILURES_PER_MINUTE: '0' }).runtime).auth?.unknownIds).toBeUndefined();
  });

  test('a spent budget sends unknown ids to the device directory, which lists the devices table', async () => {
    const guard = wiring(runtime({}).runtime).auth?.unknownIds;
    await expect(guard!.directory.has('truck-999')).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  test('checkHealth asks storage, within STORAGE_TIMEOUT_MS', async () => {
    const { runtime: target } = runtime({});
    await expect(target.checkHealth()).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});

describe('getRuntime', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('reads the settings once and keeps the runtime for the process, on the system clock', async () => {
    process.env = { ...saved, DATA_STORAGE_CONNECTION_STRING: NOWHERE, RAW_CONTAINER: 'raw-once' };
    const first = getRuntime();
    process.env.RAW_CONTAINER = 'raw-twice';

    expect(getRuntime()).toBe(first);
    expect(first.config.rawContainer).toBe('raw-once');
    // The default clock drives the limits: a refused request is answered, not a crash.
    expect(await send(first, { authorization: 'Bearer not-a-key' })).toBe('401 invalid_credentials');
  });
});
