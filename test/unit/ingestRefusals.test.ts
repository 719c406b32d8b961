/**
 * IngestService (shared/ingest.ts) on in-memory ports, with device keys and limits on: what each
 * limit answers, that a refused request reaches no storage, and the two races in which a row read
 * back is gone (a 503, never a 200); and the clock it falls back on. ingestService.test.ts covers the
 * storage path itself.
 */
import { addDevice } from '../../shared/auth/deviceAdmin';
import { DeviceAuthenticator } from '../../shared/auth/authenticateDevice';
import { StorageUnavailableError } from '../../shared/errors';
import { platformSeenAddress } from '../../shared/clientAddress';
import { type IngestDependencies, type IngestRequest, IngestService } from '../../shared/ingest';
import { TokenBucketLimiter } from '../../shared/rateLimiter';
import { errorToHttp } from '../../shared/toHttpResponse';
import { deviceModelMapFor } from '../../shared/validation/deviceModels';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';
import { TestClock } from '../helpers/clock';
import { ingestRequest } from '../helpers/ingestRequest';
import { MemoryDeviceRegistry, memoryStores } from '../helpers/memoryStores';
import { oilPayload } from '../helpers/testApp';

const validator = loadGeneratedValidator();
const DEVICE = 'truck-042';
const ADDRESS = '203.0.113.9';
/** A well-formed key of a device nobody registered: a forgery, or a typo. */
const FORGED = `truck-999~0123abcd~${'A'.repeat(43)}`;

interface Limits {
  /** Requests per minute and burst, per device. */
  rate?: [perMinute: number, burst: number];
}

/** A valid file from DEVICE as JSON, without a key unless given; the body arrives as one chunk. */
function request({
  body = oilPayload(DEVICE),
  ...overrides
}: Partial<Omit<IngestRequest, 'body'>> & { body?: string } = {}): IngestRequest {
  return ingestRequest(DEVICE, { body, ...overrides });
}

/** The service over the given ports, with the same limits on size and depth every case uses. */
function serviceOver(deps: Pick<IngestDependencies, 'blobs' | 'records'> & Partial<IngestDependencies>) {
  return new IngestService({
    rawContainer: 'raw',
    maxBodyBytes: 64 * 1024,
    maxJsonDepth: 64,
    validator,
    deviceModels: deviceModelMapFor(validator.models),
    claimInFlightMs: 80_000,
    ...deps,
  });
}

async function fixture(limits: Limits = {}) {
  const clock = new TestClock('2026-11-25T08:15:00Z');
  const millis = () => clock.now().getTime();
  const { blobs, records, calls } = memoryStores();
  const registry = new MemoryDeviceRegistry(calls);
  const token = await addDevice(registry, DEVICE, 'oil-condition-v1', clock.now);
  calls.splice(0);
  const limiter = (limit?: [number, number]) => limit && new TokenBucketLimiter(limit[0], limit[1], millis);
  const service = serviceOver({
    blobs,
    records,
    authenticator: new DeviceAuthenticator(registry, { now: clock.now }),
    rateLimiter: limiter(limits.rate),
    now: clock.now,
  });
  /** The service's own answer to one request: an outcome, or the error it rejects with. */
  const ingest = (overrides: Partial<Omit<IngestRequest, 'body'>> & { key?: string; body?: string } = {}) => {
    const { key = token, ...rest } = overrides;
    return service.ingest(
      request({
        authorization: `Bearer ${key}`,
        idempotencyKey: `file-${calls.length}`,
        forwardedFor: `${ADDRESS}:50123`,
        ...rest,
      }),
    );
  };
  /** The same answer as the gateway sees it: 200 and the outcome, or the error's HTTP answer. */
  const send = (overrides?: Parameters<typeof ingest>[0]) =>
    ingest(overrides).then(
      (outcome) => ({ status: 200, outcome: outcome.status }),
      (err: unknown) => errorToHttp(err, 5),
    );
  return { ingest, send, clock, calls, registry, blobs, records };
}

describe('the per-device rate limit', () => {
  test('past the burst a device gets 429 with Retry-After, touching no storage, until a token is back', async () => {
    const { send, clock, calls } = await fixture({ rate: [60, 2] });
    expect([(await send()).status, (await send()).status]).toEqual([200, 200]);
    calls.splice(0);

    expect(await send()).toEqual({
      status: 429,
      headers: { 'Retry-After': '1' },
      jsonBody: {
        error: 'rate_limited',
        message: 'Too many requests from this device; retry later.',
        details: [],
      },
    });
    // The key was checked (the registry read is cached by nobody here); nothing else was touched.
    expect(calls).toEqual(['devices.get']);

    clock.advance(1000);
    expect((await send()).status).toBe(200);
  });
});

describe('refusals around the key', () => {
  test('a malformed Authorization (two credentials) is a 400, every time, and a forged key a 401', async () => {
    const { send } = await fixture();
    for (let i = 0; i < 3; i++) {
      expect(await send({ authorization: `Bearer ${FORGED}, Bearer ${FORGED}` })).toMatchObject({
        status: 400,
        jsonBody: { error: 'ambiguous_credentials' },
      });
    }
    expect(await send({ key: FORGED })).toMatchObject({ status: 401 });
  });

  test('a key in the URL is a 401 that names the header to send it in (x-device-key unless configured), storing nothing', async () => {
    const { send, calls } = await fixture();
    const answer = await send({ query: new URLSearchParams('code=abc') });
    expect(answer).toMatchObject({
      status: 401,
      jsonBody: { error: 'key_in_query', message: expect.stringContaining('"x-device-key"') },
    });
    expect(calls).toEqual([]);
  });

  test('a registry that fails is our fault (503), never a 4xx, and the device gets in once it answers', async () => {
    const { send, registry } = await fixture();
    for (let i = 0; i < 3; i++) {
      registry.failNext('get');
      expect(await send()).toMatchObject({ status: 503 });
    }
    expect(await send()).toMatchObject({ status: 200 });
  });
});

describe('the method', () => {
  test('anything but POST is 405 naming POST, before the key is looked at', async () => {
    const { send, calls } = await fixture();
    expect(await send({ method: 'PUT', key: FORGED })).toEqual({
      status: 405,
      headers: { Allow: 'POST' },
      jsonBody: { error: 'method_not_allowed', message: 'Use POST to send a file.', details: [] },
    });
    expect(await send({ method: 'post' })).toMatchObject({ status: 200 });
    expect(calls.filter((c) => c === 'devices.get')).toHaveLength(1);
  });
});

describe('a row that vanishes between two round trips is a 503, never a 200', () => {
  type Fx = Awaited<ReturnType<typeof fixture>>;
  test.each<[string, string, (fx: Fx) => void]>([
    [
      'the entry that made the insert conflict',
      'table.get',
      ({ records }) => {
        records.once('insert', (record) => records.put(record));
        records.once('get', (deviceId, key) => records.delete(deviceId, key));
      },
    ],
    [
      "another writer's blob under the claimed name",
      'blob.properties',
      ({ blobs }) => {
        blobs.once('createIfAbsent', (blob) => blobs.put(blob));
        blobs.once('find', (name) => blobs.delete(name));
      },
    ],
  ])('%s, gone when read back: the error names that read', async (_case, operation, arrange) => {
    const fx = await fixture();
    arrange(fx);
    const answer = fx.ingest();
    await expect(answer).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(answer).rejects.toThrow(`Storage operation "${operation}" failed.`);
  });
});

describe('platformSeenAddress: a bracketed IPv6 hop', () => {
  test.each([
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['x[2001:db8::1]:443', 'unknown'],
    ['[2001:db8::1]:443x', 'unknown'],
    ['[2001:db8::1]:', 'unknown'],
  ])('%j -> %j', (hop, address) => {
    expect(platformSeenAddress(`198.51.100.1, ${hop}`)).toBe(address);
  });
});

describe('without an injected clock', () => {
  test('the receive time is the system clock', async () => {
    const { blobs, records } = memoryStores();
    const service = serviceOver({ blobs, records });
    const before = Date.now();
    const outcome = await service.ingest(request());
    expect(Date.parse(outcome.receivedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(outcome.receivedAt)).toBeLessThanOrEqual(Date.now());
  });
});
