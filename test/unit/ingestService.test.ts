/**
 * The ingest algorithm (shared/ingest.ts) over in-memory storage ports: every branch of store/resume,
 * the races between concurrent requests, storage faults at each step, and the refusals that must
 * not touch storage. Expected blob names and digests are computed here, not with the code under test.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  IdempotencyKeyReuseError,
  RequestError,
  SchemaValidationError,
  StorageUnavailableError,
  StoredBlobMismatchError,
  ModelNotDeployedError,
  describeError,
} from '../../shared/errors';
import { DeviceAuthenticator } from '../../shared/auth/authenticateDevice';
import { newDeviceKey } from '../../shared/auth/deviceKey';
import type { DeviceRegistry } from '../../shared/auth/deviceRecord';
import type { IdempotencyRecord } from '../../shared/idempotencyRecord';
import { RawBody } from '../../shared/rawBody';
import { type IngestRequest, IngestService } from '../../shared/ingest';
import type { IngestTrace } from '../../shared/requestLog';
import { SettledFiles } from '../../shared/settledFiles';
import { errorToHttp, outcomeToHttp } from '../../shared/toHttpResponse';
import { deviceModelMapFor } from '../../shared/validation/deviceModels';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';
import { TestClock } from '../helpers/clock';
import { memoryStores } from '../helpers/memoryStores';
import { oilPayload } from '../helpers/testApp';
import { ingestRequest } from '../helpers/ingestRequest';

const validator = loadGeneratedValidator();
const deviceModels = deviceModelMapFor(validator.models);

const CONTAINER = 'raw-telemetry';
const MAX_BODY_BYTES = 8 * 1024;
const RETRY_AFTER = 7;
const DEVICE = 'truck-042';
const MODEL = 'oil-condition-v1';
const KEY = 'batch-0001';
const T0 = '2026-11-25T08:15:00.000Z';
const BODY = oilPayload(DEVICE);
const OTHER_BODY = oilPayload(DEVICE, { sequence: 2 });
const FORWARDED = '10.0.0.1, 203.0.113.9:51234';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const md5 = (data: string | Uint8Array) => createHash('md5').update(data).digest();

/** `{device}/{yyyy}/{MM}/{dd}/{HHmmssSSS}Z_{first 16 hex of sha256(key)}.json`, built independently. */
function nameFor(receivedAt: string, key = KEY, deviceId = DEVICE): string {
  const [date = '', time = ''] = receivedAt.split('T');
  return `${deviceId}/${date.replace(/-/g, '/')}/${time.replace(/[:.]/g, '')}_${sha256(key).slice(0, 16)}.json`;
}

/** The entry a first request writes for BODY under KEY at `receivedAt`. */
function entryFor(receivedAt: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    deviceId: DEVICE,
    key: KEY,
    blobName: nameFor(receivedAt),
    sha256: sha256(BODY),
    sizeBytes: Buffer.byteLength(BODY),
    receivedAt,
    schemaId: MODEL,
    state: 'pending',
    // BODY's two readings (08:10 and 08:11 UTC) and its sentAt 08:15:02, worked out by hand.
    summary: {
      summaryVersion: 1,
      readings: 2,
      firstReadingAt: '2026-11-25T08:10:00.000Z',
      lastReadingAt: '2026-11-25T08:11:00.000Z',
      readingHours: '2026112508:2',
      sentAt: '2026-11-25T08:15:02Z',
      clockOffsetSeconds: Math.round((Date.parse('2026-11-25T08:15:02Z') - Date.parse(receivedAt)) / 1000),
    },
    ...overrides,
  };
}

/** How long a claim's first writer may still land its blob (the runtime derives it from the storage deadline). */
const CLAIM_IN_FLIGHT_MS = 80_000;

type RequestOverrides = Partial<Omit<IngestRequest, 'body'>> & {
  body?: string | Uint8Array | null;
};

/** The body arrives as a stream of small chunks, as the Functions host hands it over. */
async function* streamOf(bytes: Uint8Array, chunkSize = 97): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
}

function request({ body = BODY, ...overrides }: RequestOverrides = {}): IngestRequest {
  return ingestRequest(DEVICE, {
    idempotencyKey: KEY,
    forwardedFor: FORWARDED,
    ...overrides,
    body: body === null ? null : streamOf(typeof body === 'string' ? Buffer.from(body) : body),
  });
}

/**
 * One instance over in-memory storage. Without `settled` (the default) it has no cache of settled
 * files, so every request takes the storage path and the call log shows all of it.
 */
function fixture(
  start = T0,
  { settled, authenticator }: { settled?: SettledFiles; authenticator?: DeviceAuthenticator } = {},
) {
  const clock = new TestClock(start);
  const { blobs, records, calls } = memoryStores(clock.now);
  /** An instance of the service over these same stores and clock, with its own cache (or none). */
  const instance = (cache?: SettledFiles) => {
    const service = new IngestService({
      rawContainer: CONTAINER,
      maxBodyBytes: MAX_BODY_BYTES,
      maxJsonDepth: 64,
      validator,
      deviceModels,
      blobs,
      records,
      settled: cache,
      authenticator,
      claimInFlightMs: CLAIM_IN_FLIGHT_MS,
      now: clock.now,
    });
    return (overrides?: RequestOverrides, trace?: IngestTrace) => service.ingest(request(overrides), trace);
  };
  return {
    blobs,
    records,
    calls,
    clock,
    send: instance(settled),
    instance,
    /** Empties the call log, so the next assertion sees only the step under test. */
    resetCalls: () => calls.splice(0),
  };
}

/** The error a promise rejects with; a resolution fails the test with what it resolved to. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const settled = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('error' in settled) return settled.error;
  throw new Error(`expected a rejection, got ${JSON.stringify(settled.value)}`);
}

/** A storage failure is a 503 with Retry-After, whatever step raised it. */
function expectUnavailable(err: unknown): void {
  expect(err).toBeInstanceOf(StorageUnavailableError);
  expect(err).toMatchObject({ code: 'storage_unavailable' });
  const answer = errorToHttp(err, RETRY_AFTER);
  expect(answer.status).toBe(503);
  expect(answer.headers).toEqual({ 'Retry-After': String(RETRY_AFTER) });
}

/** A process crash between two steps: thrown from a hook, so the step never reaches storage. */
class Crash extends Error {}
const crash = () => {
  throw new Crash('process died here');
};

describe('IngestService: a new file', () => {
  test('insert(pending) -> createIfAbsent, answered `stored`, with the blob and entry as specified', async () => {
    const { send, calls, blobs, records } = fixture();
    const trace: IngestTrace = {};
    // A new file is never read: exactly the two writes.
    records.on('get', crash);

    const outcome = await send({}, trace);

    expect(calls).toEqual(['records.insert', 'blobs.createIfAbsent']);
    expect(outcome).toEqual({
      status: 'stored',
      container: CONTAINER,
      blobName: nameFor(T0),
      sha256: sha256(BODY),
      sizeBytes: Buffer.byteLength(BODY),
      receivedAt: T0,
      schemaId: MODEL,
    });
    expect(outcomeToHttp(outcome)).toMatchObject({ status: 200, headers: {} });
    expect(records.all()).toEqual([entryFor(T0)]);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    const blob = blobs.peek(nameFor(T0))!;
    expect(blob.body.toBuffer().toString('utf8')).toBe(BODY);
    expect(Buffer.from(blob.contentMD5)).toEqual(md5(BODY));
    expect(blob.metadata).toEqual({
      deviceid: DEVICE,
      receivedat: T0,
      sha256: sha256(BODY),
      idempotencykey: KEY,
      schemaid: MODEL,
      clientip: '203.0.113.9',
      sizebytes: String(Buffer.byteLength(BODY)),
      receivedencoding: 'identity',
      // The reading summary, for the vendor (the per-hour counts stay in the table).
      readings: '2',
      firstreadingat: '2026-11-25T08:10:00.000Z',
      lastreadingat: '2026-11-25T08:11:00.000Z',
      sentat: '2026-11-25T08:15:02Z',
      clockoffsetseconds: '2',
    });
    expect(trace).toEqual({
      deviceId: DEVICE,
      key: sha256(KEY).slice(0, 16),
      client: '203.0.113.9',
      bytes: Buffer.byteLength(BODY),
      model: 'oil-condition-v1',
      readings: 2,
      clockOffsetSeconds: 2,
      delaySeconds: -2,
    });
  });

  test('without an Idempotency-Key the key is the body SHA-256, in the entry, the name and the metadata', async () => {
    const { send, blobs, records } = fixture();
    const key = sha256(BODY);

    const outcome = await send({ idempotencyKey: null, forwardedFor: null });

    expect(outcome.blobName).toBe(nameFor(T0, key));
    expect(records.peek(DEVICE, key)).toEqual(entryFor(T0, { key, blobName: nameFor(T0, key) }));
    expect(blobs.peek(nameFor(T0, key))!.metadata).toMatchObject({
      idempotencykey: key,
      clientip: 'unknown',
    });
  });

  test('a key with spaces, quotes and slashes is kept exactly in the entry and URI-encoded in metadata', async () => {
    const { send, blobs, records } = fixture();
    const key = 'batch 7/"night shift"#1';

    const outcome = await send({ idempotencyKey: key });

    expect(outcome.blobName).toBe(nameFor(T0, key));
    expect(records.peek(DEVICE, key)?.key).toBe(key);
    expect(blobs.peek(outcome.blobName)!.metadata.idempotencykey).toBe(encodeURIComponent(key));
  });

  test('a gzipped body is stored decompressed; its digest and size are of the JSON, the encoding is noted', async () => {
    const { send, blobs } = fixture();
    const zipped = gzipSync(Buffer.from(BODY));

    const outcome = await send({ body: zipped, contentEncoding: 'gzip' });

    expect(outcome).toMatchObject({
      status: 'stored',
      sha256: sha256(BODY),
      sizeBytes: Buffer.byteLength(BODY),
    });
    const blob = blobs.peek(outcome.blobName)!;
    expect(blob.body.toBuffer().toString('utf8')).toBe(BODY);
    expect(Buffer.from(blob.contentMD5)).toEqual(md5(BODY));
    expect(blob.metadata.receivedencoding).toBe('gzip');
  });

  test('a device without a specific model is validated and recorded under the default model', async () => {
    const { send, records } = fixture();
    const body = JSON.stringify({ pressureKPa: [101.2, 101.3] });

    const outcome = await send({ deviceId: 'pump-7', body });

    expect(outcome).toMatchObject({
      status: 'stored',
      schemaId: 'default',
      blobName: nameFor(T0, KEY, 'pump-7'),
    });
    expect(records.peek('pump-7', KEY)?.schemaId).toBe('default');
  });

  test('the same key from two devices is two files', async () => {
    const { send, blobs } = fixture();

    const first = await send();
    const second = await send({ deviceId: 'truck-043', body: oilPayload('truck-043') });

    expect([first.status, second.status]).toEqual(['stored', 'stored']);
    expect(blobs.names()).toEqual([nameFor(T0), nameFor(T0, KEY, 'truck-043')]);
  });
});

describe('IngestService: resends', () => {
  test('after a success: the insert conflicts, the blob is checked once, the entry marked `stored`, then answered from the entry alone', async () => {
    const { send, calls, blobs, records, clock, resetCalls } = fixture();
    const first = await send();
    clock.advance(60_000);
    resetCalls();

    const second = await send({ forwardedFor: '198.51.100.1' });

    expect(calls).toEqual(['records.insert', 'records.get', 'blobs.find', 'records.markStored']);
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(outcomeToHttp(second).headers).toEqual({ 'Idempotent-Replayed': 'true' });
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
    // The first copy is kept untouched: still the first request's receipt.
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(blobs.peek(nameFor(T0))!.metadata.clientip).toBe('203.0.113.9');

    resetCalls();
    const third = await send();

    expect(calls).toEqual(['records.insert', 'records.get']);
    expect(third).toEqual({ ...first, status: 'duplicate' });
    expect(blobs.names()).toEqual([nameFor(T0)]);
    // The resends' conflicting inserts (a minute later, another name) changed nothing in the entry.
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });

  test('after the first writer crashed past its insert: the blob is written under the claimed name, `stored`', async () => {
    const { send, calls, blobs, records, clock, resetCalls } = fixture();
    blobs.once('createIfAbsent', crash);
    expect(await rejectionOf(send())).toBeInstanceOf(Crash);
    expect(records.all()).toEqual([entryFor(T0)]);
    expect(blobs.names()).toEqual([]);
    clock.advance(3_600_000);
    resetCalls();

    const resent = await send({ forwardedFor: '198.51.100.1' });

    expect(calls).toEqual([
      'records.insert', // 'exists': our own earlier attempt
      'records.get',
      'blobs.find',
      'blobs.createIfAbsent',
      'records.markStored',
    ]);
    expect(resent).toEqual({
      status: 'stored',
      container: CONTAINER,
      blobName: nameFor(T0),
      sha256: sha256(BODY),
      sizeBytes: Buffer.byteLength(BODY),
      receivedAt: T0,
      schemaId: MODEL,
    });
    expect(blobs.names()).toEqual([nameFor(T0)]);
    const blob = blobs.peek(nameFor(T0))!;
    expect(blob.body.toBuffer().toString('utf8')).toBe(BODY);
    expect(Buffer.from(blob.contentMD5)).toEqual(md5(BODY));
    // The entry's first receipt time, this request's address.
    expect(blob.metadata).toMatchObject({ receivedat: T0, clientip: '198.51.100.1', sha256: sha256(BODY) });
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });

  test('a resend of the same file without a key is recognised by its digest', async () => {
    const { send, calls, blobs, resetCalls } = fixture();
    const first = await send({ idempotencyKey: null });
    resetCalls();

    const second = await send({ idempotencyKey: null });

    expect(calls).toEqual(['records.insert', 'records.get', 'blobs.find', 'records.markStored']);
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(blobs.names()).toEqual([first.blobName]);
  });
});

describe('IngestService: concurrent requests', () => {
  test('insert conflict: a concurrent request claimed the key just before our insert; we follow its entry', async () => {
    const { send, calls, blobs, records, clock } = fixture();
    const winners: unknown[] = [];
    records.once('insert', async () => {
      clock.advance(5);
      winners.push(await send());
    });

    const loser = await send();

    const winnerAt = '2026-11-25T08:15:00.005Z';
    expect(winners).toEqual([expect.objectContaining({ status: 'stored', blobName: nameFor(winnerAt) })]);
    expect(loser).toMatchObject({ status: 'duplicate', blobName: nameFor(winnerAt), receivedAt: winnerAt });
    expect(calls).toEqual([
      ...['records.insert', 'blobs.createIfAbsent'], // the winner, start to finish
      'records.insert', // 'exists'
      'records.get',
      'blobs.find', // the winner's blob, its sha256 metadata matching
      'records.markStored',
    ]);
    expect(blobs.names()).toEqual([nameFor(winnerAt)]);
    // Our own claim (named at T0) never landed: one entry, the winner's.
    expect(records.all()).toEqual([entryFor(winnerAt, { state: 'stored' })]);
  });

  test('insert conflict with a winner that has not written its blob: we write it under the winner`s name', async () => {
    const { send, calls, blobs, records } = fixture();
    const winnerAt = '2026-11-25T08:14:59.990Z';
    records.once('insert', () => records.put(entryFor(winnerAt)));

    const outcome = await send();

    expect(outcome).toMatchObject({ status: 'stored', blobName: nameFor(winnerAt), receivedAt: winnerAt });
    expect(calls).toEqual([
      'records.insert', // 'exists'
      'records.get',
      'blobs.find',
      'blobs.createIfAbsent',
      'records.markStored',
    ]);
    expect(blobs.names()).toEqual([nameFor(winnerAt)]);
    expect(blobs.peek(nameFor(winnerAt))!.metadata.receivedat).toBe(winnerAt);
    expect(records.all()).toEqual([entryFor(winnerAt, { state: 'stored' })]);
  });

  test('insert conflict with a `stored` winner: answered from its entry, no blob round trip', async () => {
    const { send, calls, blobs, records } = fixture();
    const winnerAt = '2026-11-25T08:14:59.990Z';
    records.once('insert', () => records.put(entryFor(winnerAt, { state: 'stored' })));

    const outcome = await send();

    expect(outcome).toMatchObject({ status: 'duplicate', blobName: nameFor(winnerAt), receivedAt: winnerAt });
    expect(calls).toEqual(['records.insert', 'records.get']);
    expect(blobs.names()).toEqual([]);
    expect(records.all()).toEqual([entryFor(winnerAt, { state: 'stored' })]);
  });

  test('insert conflict with a winner that stored a different body under the key: 422, we write nothing', async () => {
    const { send, calls, blobs, records } = fixture();
    records.once('insert', async () => {
      await send({ body: OTHER_BODY });
    });

    const err = await rejectionOf(send());

    expect(err).toBeInstanceOf(IdempotencyKeyReuseError);
    expect(errorToHttp(err, RETRY_AFTER).status).toBe(422);
    expect(calls).toEqual([
      ...['records.insert', 'blobs.createIfAbsent'], // the other body, stored
      'records.insert', // 'exists'
      'records.get', // pending with another sha256: is its blob there?
      'blobs.find', // it is: the key holds other bytes, 422
    ]);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(blobs.peek(nameFor(T0))!.body.toBuffer().toString('utf8')).toBe(OTHER_BODY);
    expect(records.peek(DEVICE, KEY)?.sha256).toBe(sha256(OTHER_BODY));
  });

  test('insert conflict, then the entry is gone when read back: StorageUnavailableError (503), nothing written', async () => {
    const { send, calls, blobs, records } = fixture();
    records.once('insert', () => {
      records.put(entryFor('2026-11-25T08:14:59.990Z'));
      records.once('get', () => records.delete(DEVICE, KEY));
    });

    const err = await rejectionOf(send());

    expectUnavailable(err);
    expect((err as Error).message).toContain('"table.get"');
    expect(calls).toEqual(['records.insert', 'records.get']);
    expect(blobs.names()).toEqual([]);
    expect(records.all()).toEqual([]);
  });

  test('the first write finds the blob already there (a concurrent resend wrote it): `duplicate`, one blob', async () => {
    const { send, calls, blobs, records } = fixture();
    const resends: unknown[] = [];
    blobs.once('createIfAbsent', async () => {
      resends.push(await send());
    });

    const first = await send();

    expect(resends).toEqual([expect.objectContaining({ status: 'stored', blobName: nameFor(T0) })]);
    expect(first).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(calls).toEqual([
      'records.insert',
      ...['records.insert', 'records.get', 'blobs.find', 'blobs.createIfAbsent', 'records.markStored'], // the resend
      'blobs.createIfAbsent', // 'exists'
      'blobs.find', // its sha256 metadata matches the entry
    ]);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });

  test.each([
    ['on resume (blob found)', true, ['records.insert', 'records.get', 'blobs.find']],
    ['on the first write (name taken)', false, ['records.insert', 'blobs.createIfAbsent', 'blobs.find']],
  ])(
    'a blob under the claimed name with other bytes is never answered 200 %s',
    async (_name, pending, expectedCalls) => {
      const { send, calls, blobs, records } = fixture();
      if (pending) records.put(entryFor(T0));
      blobs.put({
        name: nameFor(T0),
        body: RawBody.of(Buffer.from('{}')),
        contentMD5: md5('{}'),
        metadata: { sha256: sha256('{}') },
      });

      const error = await send().catch((err: unknown) => err);

      expect(error).toBeInstanceOf(StoredBlobMismatchError);
      expect(errorToHttp(error, 5)).toMatchObject({
        status: 500,
        jsonBody: { error: 'stored_blob_mismatch' },
      });
      expect(calls).toEqual(expectedCalls);
      expect(records.all()).toEqual([entryFor(T0)]);
      expect(blobs.peek(nameFor(T0))!.body.toBuffer().toString('utf8')).toBe('{}');
    },
  );

  test('a resume write finds the blob already there (two resends after a crash): one `stored`, one `duplicate`', async () => {
    const { send, calls, blobs, records, resetCalls } = fixture();
    records.put(entryFor(T0));
    const inner: unknown[] = [];
    blobs.once('createIfAbsent', async () => {
      inner.push(await send());
    });
    resetCalls();

    const outer = await send();

    expect(inner).toEqual([expect.objectContaining({ status: 'stored', blobName: nameFor(T0) })]);
    expect(outer).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(calls).toEqual([
      'records.insert', // 'exists'
      'records.get',
      'blobs.find', // absent
      ...['records.insert', 'records.get', 'blobs.find', 'blobs.createIfAbsent', 'records.markStored'], // the other resend
      'blobs.createIfAbsent', // 'exists'
      'blobs.find', // its sha256 metadata matches the entry
      'records.markStored',
    ]);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });
});

describe('IngestService: Idempotency-Key reuse with a different body', () => {
  test.each([
    ['pending', 1, ['records.insert', 'records.get', 'blobs.find']],
    ['stored', 2, ['records.insert', 'records.get']],
  ])(
    'entry %s with its blob: 422, the first file and entry untouched',
    async (state, firstSends, expectedCalls) => {
      const { send, calls, blobs, records, resetCalls } = fixture();
      for (let i = 0; i < firstSends; i++) await send();
      const entryBefore = records.peek(DEVICE, KEY);
      expect(entryBefore?.state).toBe(state);
      resetCalls();

      const err = await rejectionOf(send({ body: OTHER_BODY }));

      expect(err).toBeInstanceOf(IdempotencyKeyReuseError);
      expect(err).toMatchObject({ status: 422, code: 'idempotency_key_reuse' });
      expect(errorToHttp(err, RETRY_AFTER)).toMatchObject({ status: 422, headers: {} });
      expect(calls).toEqual(expectedCalls);
      expect(records.all()).toEqual([entryBefore]);
      expect(blobs.names()).toEqual([nameFor(T0)]);
      expect(blobs.peek(nameFor(T0))!.body.toBuffer().toString('utf8')).toBe(BODY);
    },
  );
});

describe('IngestService: a failed markStored does not fail the request', () => {
  test('resume that wrote the blob: still `stored`; the entry stays pending and the next resend checks again', async () => {
    const { send, calls, blobs, records, resetCalls } = fixture();
    records.put(entryFor(T0));
    records.failNext('markStored');

    const outcome = await send();

    expect(calls).toEqual([
      'records.insert',
      'records.get',
      'blobs.find',
      'blobs.createIfAbsent',
      'records.markStored', // fails, swallowed
    ]);
    expect(outcome).toMatchObject({ status: 'stored', blobName: nameFor(T0) });
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([entryFor(T0)]);

    resetCalls();
    const next = await send();

    expect(next).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(calls).toEqual(['records.insert', 'records.get', 'blobs.find', 'records.markStored']);
    expect(records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });

  test('resend after success: still `duplicate`, the blob untouched', async () => {
    const { send, calls, blobs, records, resetCalls } = fixture();
    await send();
    records.failNext('markStored');
    resetCalls();

    const outcome = await send();

    expect(outcome).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(calls).toEqual(['records.insert', 'records.get', 'blobs.find', 'records.markStored']);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([entryFor(T0)]);
  });

  test('the entry vanished before the merge (404): still answered from the blob', async () => {
    const { send, calls, blobs, records, resetCalls } = fixture();
    await send();
    records.once('markStored', () => records.delete(DEVICE, KEY));
    resetCalls();

    const outcome = await send();

    expect(outcome).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(calls).toEqual(['records.insert', 'records.get', 'blobs.find', 'records.markStored']);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([]);
  });
});

describe('IngestService: the settled-files cache', () => {
  const KEY_2 = 'batch-0002';
  const KEY_3 = 'batch-0003';
  const BODY_3 = oilPayload(DEVICE, { sequence: 3 });
  /** The storage path of a resend whose entry is `pending` and whose blob is there. */
  const CONFIRM = ['records.insert', 'records.get', 'blobs.find', 'records.markStored'];

  /** Every storage operation throws: an answer given anyway made no storage call. */
  function forbidStorage({ records, blobs }: ReturnType<typeof fixture>): () => void {
    const off = [
      records.on('get', crash),
      records.on('insert', crash),
      records.on('markStored', crash),
      blobs.on('createIfAbsent', crash),
      blobs.on('find', crash),
    ];
    return () => off.forEach((remove) => remove());
  }

  test('a resend after a stored file: zero storage calls, `duplicate` with the first blob name and receivedAt', async () => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    const first = await fx.send();
    expect(fx.calls).toEqual(['records.insert', 'blobs.createIfAbsent']);
    expect(settled.size).toBe(1);
    fx.clock.advance(60_000);
    fx.resetCalls();
    forbidStorage(fx);

    const second = await fx.send({ forwardedFor: '198.51.100.1' });

    expect(fx.calls).toEqual([]);
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(second).toMatchObject({ blobName: nameFor(T0), receivedAt: T0 });
    expect(outcomeToHttp(second)).toMatchObject({ status: 200, headers: { 'Idempotent-Replayed': 'true' } });
    // Storage is as the first request left it: the entry is not even marked `stored`.
    expect(fx.records.all()).toEqual([entryFor(T0)]);
    expect(fx.blobs.names()).toEqual([nameFor(T0)]);
    expect(fx.blobs.peek(nameFor(T0))!.metadata.clientip).toBe('203.0.113.9');
  });

  test('a different body under the same Idempotency-Key: 422 with zero storage calls, nothing changed', async () => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    await fx.send();
    fx.resetCalls();
    forbidStorage(fx);

    const err = await rejectionOf(fx.send({ body: OTHER_BODY }));

    expect(err).toBeInstanceOf(IdempotencyKeyReuseError);
    expect(errorToHttp(err, RETRY_AFTER)).toMatchObject({
      status: 422,
      jsonBody: { error: 'idempotency_key_reuse' },
    });
    expect(fx.calls).toEqual([]);
    expect(fx.records.all()).toEqual([entryFor(T0)]);
    expect(fx.blobs.names()).toEqual([nameFor(T0)]);
    expect(fx.blobs.peek(nameFor(T0))!.body.toBuffer().toString('utf8')).toBe(BODY);
    // The refused body is not remembered: the file is still answered from the cache.
    expect(await fx.send()).toMatchObject({ status: 'duplicate', sha256: sha256(BODY) });
    expect(fx.calls).toEqual([]);
  });

  test('a resend to another instance (same storage, its own empty cache) takes the storage path, still `duplicate`', async () => {
    const fx = fixture(T0, { settled: new SettledFiles() });
    const first = await fx.send();
    fx.clock.advance(60_000);
    fx.resetCalls();
    const otherCache = new SettledFiles();
    const other = fx.instance(otherCache);

    const resent = await other();

    expect(fx.calls).toEqual(CONFIRM);
    expect(resent).toEqual({ ...first, status: 'duplicate' });
    expect(fx.records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
    expect(fx.blobs.names()).toEqual([nameFor(T0)]);
    expect(otherCache.size).toBe(1);

    // That instance now knows the file too...
    fx.resetCalls();
    expect(await other()).toEqual({ ...first, status: 'duplicate' });
    expect(await rejectionOf(other({ body: OTHER_BODY }))).toBeInstanceOf(IdempotencyKeyReuseError);
    expect(fx.calls).toEqual([]);

    // ...and a third one reads the entry, now `stored`: no blob round trip.
    const third = fx.instance(new SettledFiles());
    expect(await third()).toEqual({ ...first, status: 'duplicate' });
    expect(fx.calls).toEqual(['records.insert', 'records.get']);
    fx.resetCalls();
    expect(await rejectionOf(fx.instance(new SettledFiles())({ body: OTHER_BODY }))).toBeInstanceOf(
      IdempotencyKeyReuseError,
    );
    expect(fx.calls).toEqual(['records.insert', 'records.get']);
    expect(fx.records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
  });

  test.each<[string, (fx: ReturnType<typeof fixture>) => void, string[], 'stored' | 'duplicate']>([
    [
      'a resume that wrote the missing blob',
      ({ records }) => records.put(entryFor(T0)),
      ['records.insert', 'records.get', 'blobs.find', 'blobs.createIfAbsent', 'records.markStored'],
      'stored',
    ],
    [
      'a resume whose markStored failed (the blob is durable)',
      ({ records, blobs }) => {
        records.put(entryFor(T0));
        blobs.put({
          name: nameFor(T0),
          body: RawBody.of(Buffer.from(BODY)),
          contentMD5: md5(BODY),
          metadata: { sha256: sha256(BODY) },
        });
        records.failNext('markStored');
      },
      CONFIRM,
      'duplicate',
    ],
    [
      'an entry read as `stored` after the insert conflict',
      ({ records }) => records.put(entryFor(T0, { state: 'stored' })),
      ['records.insert', 'records.get'],
      'duplicate',
    ],
  ])('a file confirmed on the storage path is remembered: %s', async (_name, arrange, firstCalls, status) => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    arrange(fx);
    fx.clock.advance(30_000);

    const outcome = await fx.send();

    expect(fx.calls).toEqual(firstCalls);
    expect(outcome).toMatchObject({ status, blobName: nameFor(T0), receivedAt: T0 });
    expect(settled.size).toBe(1);
    fx.resetCalls();
    forbidStorage(fx);
    expect(await fx.send()).toEqual({ ...outcome, status: 'duplicate' });
    expect(fx.calls).toEqual([]);
  });

  test('the first write finding the blob already there (a concurrent resend) remembers the file', async () => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    const other = fx.instance();
    fx.blobs.once('createIfAbsent', async () => {
      await other();
    });

    const first = await fx.send();

    expect(first).toMatchObject({ status: 'duplicate', blobName: nameFor(T0) });
    expect(settled.size).toBe(1);
    fx.resetCalls();
    expect(await fx.send()).toEqual(first);
    expect(fx.calls).toEqual([]);
  });

  test.each<[string, (fx: ReturnType<typeof fixture>) => void, (err: unknown) => void, string[]]>([
    [
      'a 503 from the first write',
      ({ blobs }) => blobs.failNext('createIfAbsent'),
      expectUnavailable,
      ['records.insert', 'records.get', 'blobs.find', 'blobs.createIfAbsent', 'records.markStored'],
    ],
    [
      'a 422 read from the table',
      ({ records }) => records.put(entryFor(T0, { sha256: sha256(OTHER_BODY), state: 'stored' })),
      (err) => expect(err).toBeInstanceOf(IdempotencyKeyReuseError),
      ['records.insert', 'records.get'],
    ],
    [
      'a blob under the claimed name with other bytes',
      ({ blobs }) =>
        blobs.put({
          name: nameFor(T0),
          body: RawBody.of(Buffer.from('{}')),
          contentMD5: md5('{}'),
          metadata: { sha256: sha256('{}') },
        }),
      (err) => expect(err).toBeInstanceOf(StoredBlobMismatchError),
      ['records.insert', 'records.get', 'blobs.find'],
    ],
  ])('nothing is remembered from a failed request: %s', async (_name, arrange, check, nextCalls) => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    arrange(fx);

    check(await rejectionOf(fx.send()));

    expect(settled.size).toBe(0);
    fx.resetCalls();
    await fx.send().catch(() => undefined);
    // The next try is judged by storage again.
    expect(fx.calls).toEqual(nextCalls);
  });

  test('the cache is per (device, key): another key or another device is a new file', async () => {
    const settled = new SettledFiles();
    const fx = fixture(T0, { settled });
    await fx.send();
    fx.resetCalls();

    const otherKey = await fx.send({ idempotencyKey: KEY_2, body: OTHER_BODY });
    const otherDevice = await fx.send({ deviceId: 'truck-043', body: oilPayload('truck-043') });

    expect(otherKey).toMatchObject({ status: 'stored', blobName: nameFor(T0, KEY_2) });
    expect(otherDevice).toMatchObject({ status: 'stored', blobName: nameFor(T0, KEY, 'truck-043') });
    expect(fx.calls).toEqual([
      'records.insert',
      'blobs.createIfAbsent',
      'records.insert',
      'blobs.createIfAbsent',
    ]);
    expect(settled.size).toBe(3);
  });

  test('the bound (maxEntries) evicts the least recently used file, which then takes the storage path', async () => {
    const settled = new SettledFiles(2);
    const fx = fixture(T0, { settled });
    const a = await fx.send();
    const b = await fx.send({ idempotencyKey: KEY_2, body: OTHER_BODY });
    fx.resetCalls();

    // A is used again, so B is now the least recently used.
    expect(await fx.send()).toEqual({ ...a, status: 'duplicate' });
    expect(fx.calls).toEqual([]);
    const c = await fx.send({ idempotencyKey: KEY_3, body: BODY_3 });
    expect(c.status).toBe('stored');
    expect(settled.size).toBe(2);
    fx.resetCalls();

    expect(await fx.send()).toEqual({ ...a, status: 'duplicate' });
    expect(fx.calls).toEqual([]);

    // B was evicted: the storage path, which answers the same and remembers it again (evicting C).
    expect(await fx.send({ idempotencyKey: KEY_2, body: OTHER_BODY })).toEqual({ ...b, status: 'duplicate' });
    expect(fx.calls).toEqual(CONFIRM);
    expect(settled.size).toBe(2);
    fx.resetCalls();

    expect(await fx.send({ idempotencyKey: KEY_2, body: OTHER_BODY })).toEqual({ ...b, status: 'duplicate' });
    expect(await fx.send()).toEqual({ ...a, status: 'duplicate' });
    expect(fx.calls).toEqual([]);
    expect(await fx.send({ idempotencyKey: KEY_3, body: BODY_3 })).toEqual({ ...c, status: 'duplicate' });
    expect(fx.calls).toEqual(CONFIRM);
    expect(fx.blobs.names()).toEqual([nameFor(T0), nameFor(T0, KEY_2), nameFor(T0, KEY_3)].sort());
  });
});

describe('IngestService: storage failures are 503, leave a consistent state, and the retry converges', () => {
  type Fx = ReturnType<typeof fixture>;
  const LATER = '2026-11-25T08:15:30.000Z';
  /** The storage path of a resend whose entry is `pending` and whose blob is missing. */
  const REPAIR = [
    'records.insert',
    'records.get',
    'blobs.find',
    'blobs.createIfAbsent',
    'records.markStored',
  ];

  test.each<{
    name: string;
    /**
     * State before the failing request: a crashed first writer (`pending` entry, no blob), or a file
     * already stored (blob, entry `stored`).
     */
    before?: 'crashed' | 'stored';
    inject: (fx: Fx) => void;
    failedCalls: string[];
    /** What the failed request left: the entry (by its receive time) and whether its blob exists. */
    leftEntryAt?: string;
    leftState?: 'pending' | 'stored';
    leftBlob: boolean;
    retryCalls: string[];
    retryStatus: 'stored' | 'duplicate';
    /** Whose receive time names the one blob after the retry. */
    blobAt: string;
  }>([
    {
      name: 'records.insert fails before writing',
      inject: ({ records }) => records.failNext('insert'),
      failedCalls: ['records.insert'],
      leftBlob: false,
      retryCalls: ['records.insert', 'blobs.createIfAbsent'],
      retryStatus: 'stored',
      blobAt: LATER,
    },
    {
      name: 'records.insert times out after the entry landed',
      inject: ({ records }) => records.failNext('insert', undefined, { after: true }),
      failedCalls: ['records.insert'],
      leftEntryAt: T0,
      leftBlob: false,
      retryCalls: REPAIR,
      retryStatus: 'stored',
      blobAt: T0,
    },
    {
      name: 'blobs.createIfAbsent (first write) fails',
      inject: ({ blobs }) => blobs.failNext('createIfAbsent'),
      failedCalls: ['records.insert', 'blobs.createIfAbsent'],
      leftEntryAt: T0,
      leftBlob: false,
      retryCalls: REPAIR,
      retryStatus: 'stored',
      blobAt: T0,
    },
    {
      name: 'blobs.createIfAbsent (first write) times out after the blob landed',
      inject: ({ blobs }) => blobs.failNext('createIfAbsent', undefined, { after: true }),
      failedCalls: ['records.insert', 'blobs.createIfAbsent'],
      leftEntryAt: T0,
      leftBlob: true,
      retryCalls: ['records.insert', 'records.get', 'blobs.find', 'records.markStored'],
      retryStatus: 'duplicate',
      blobAt: T0,
    },
    {
      name: 'records.get after an insert conflict (a concurrent claim) fails',
      inject: ({ records }) => {
        records.once('insert', () => records.put(entryFor(T0)));
        records.once('insert', () => records.failNext('get'));
      },
      failedCalls: ['records.insert', 'records.get'],
      leftEntryAt: T0,
      leftBlob: false,
      retryCalls: REPAIR,
      retryStatus: 'stored',
      blobAt: T0,
    },
    {
      name: 'records.get on a resend of a stored file fails',
      before: 'stored',
      inject: ({ records }) => records.failNext('get'),
      failedCalls: ['records.insert', 'records.get'],
      leftEntryAt: T0,
      leftState: 'stored',
      leftBlob: true,
      retryCalls: ['records.insert', 'records.get'],
      retryStatus: 'duplicate',
      blobAt: T0,
    },
    {
      name: 'blobs.find (resume) fails',
      before: 'crashed',
      inject: ({ blobs }) => blobs.failNext('find'),
      failedCalls: ['records.insert', 'records.get', 'blobs.find'],
      leftEntryAt: T0,
      leftBlob: false,
      retryCalls: REPAIR,
      retryStatus: 'stored',
      blobAt: T0,
    },
    {
      name: 'blobs.createIfAbsent (resume write) fails',
      before: 'crashed',
      inject: ({ blobs }) => blobs.failNext('createIfAbsent'),
      failedCalls: ['records.insert', 'records.get', 'blobs.find', 'blobs.createIfAbsent'],
      leftEntryAt: T0,
      leftBlob: false,
      retryCalls: REPAIR,
      retryStatus: 'stored',
      blobAt: T0,
    },
  ])('$name', async (c) => {
    const fx = fixture();
    if (c.before === 'crashed') fx.records.put(entryFor(T0));
    if (c.before === 'stored') {
      await fx.send(); // stored
      await fx.send(); // duplicate, marks the entry `stored`
      expect(fx.records.all()).toEqual([entryFor(T0, { state: 'stored' })]);
      fx.resetCalls();
    }
    c.inject(fx);

    const err = await rejectionOf(fx.send());

    expectUnavailable(err);
    expect(fx.calls).toEqual(c.failedCalls);
    expect(fx.records.all()).toEqual(
      c.leftEntryAt ? [entryFor(c.leftEntryAt, { state: c.leftState ?? 'pending' })] : [],
    );
    expect(fx.blobs.names()).toEqual(c.leftBlob ? [nameFor(T0)] : []);

    // The device keeps the file and retries 30 s later.
    fx.clock.advance(30_000);
    fx.resetCalls();
    const retry = await fx.send();

    expect(fx.calls).toEqual(c.retryCalls);
    expect(retry).toMatchObject({ status: c.retryStatus, blobName: nameFor(c.blobAt), receivedAt: c.blobAt });
    expect(fx.blobs.names()).toEqual([nameFor(c.blobAt)]);
    expect(fx.blobs.peek(nameFor(c.blobAt))!.body.toBuffer().toString('utf8')).toBe(BODY);
    const marked = c.before === 'stored' || c.retryCalls.includes('records.markStored');
    expect(fx.records.all()).toEqual([entryFor(c.blobAt, { state: marked ? 'stored' : 'pending' })]);

    // And from then on every resend is the same one file.
    const again = await fx.send();
    expect(again).toMatchObject({ status: 'duplicate', blobName: nameFor(c.blobAt) });
    expect(fx.blobs.names()).toEqual([nameFor(c.blobAt)]);
  });

  test('a records.get fault cannot touch a new file: it is never read', async () => {
    const { send, calls, blobs, records } = fixture();
    records.failNext('get');

    const outcome = await send();

    expect(outcome).toMatchObject({ status: 'stored', blobName: nameFor(T0) });
    expect(calls).toEqual(['records.insert', 'blobs.createIfAbsent']);
    expect(blobs.names()).toEqual([nameFor(T0)]);
    expect(records.all()).toEqual([entryFor(T0)]);
  });
});

describe('IngestService: refusals happen before any storage call', () => {
  const big = JSON.stringify({ deviceId: DEVICE, readings: [], pad: 'x'.repeat(MAX_BODY_BYTES) });

  test.each<[string, number, string, RequestOverrides]>([
    ['GET', 405, 'method_not_allowed', { method: 'GET' }],
    ['PUT', 405, 'method_not_allowed', { method: 'PUT' }],
    ['a device id with a slash', 400, 'invalid_device_id', { deviceId: 'truck/042' }],
    ['a device id with ..', 400, 'invalid_device_id', { deviceId: 'truck..042' }],
    ['no device id', 400, 'invalid_device_id', { deviceId: undefined }],
    ['text/plain', 415, 'unsupported_media_type', { contentType: 'text/plain' }],
    ['no Content-Type', 415, 'unsupported_media_type', { contentType: null }],
    [
      'a latin-1 charset',
      415,
      'unsupported_media_type',
      { contentType: 'application/json; charset=iso-8859-1' },
    ],
    ['Content-Encoding br', 415, 'unsupported_content_encoding', { contentEncoding: 'br' }],
    ['a declared oversize body', 413, 'payload_too_large', { contentLength: String(MAX_BODY_BYTES + 1) }],
    ['an oversize body without Content-Length', 413, 'payload_too_large', { body: big }],
    ['an empty body', 400, 'empty_body', { body: '' }],
    ['no body', 400, 'empty_body', { body: null }],
    ['truncated JSON', 400, 'invalid_json', { body: BODY.slice(0, 40) }],
    ['a byte-order mark', 400, 'invalid_json', { body: `\uFEFF${BODY}` }],
    ['invalid UTF-8', 400, 'invalid_utf8', { body: Uint8Array.of(0x7b, 0xff, 0x7d) }],
    ['a body that is not gzip', 400, 'invalid_gzip', { contentEncoding: 'gzip' }],
    ['a schema violation', 400, 'schema_validation', { body: oilPayload(DEVICE, { readings: [] }) }],
    // The file names its own device (oil-condition-v1 declares /deviceId): stored under another truck otherwise.
    ['a file naming another device', 400, 'device_id_mismatch', { body: oilPayload('truck-999') }],
    ['an Idempotency-Key with a leading space', 400, 'invalid_idempotency_key', { idempotencyKey: ' batch' }],
    ['a non-ASCII Idempotency-Key', 400, 'invalid_idempotency_key', { idempotencyKey: 'lot-ü' }],
  ])('%s -> %i %s, zero storage calls', async (_name, status, code, overrides) => {
    const { send, calls, blobs, records } = fixture();

    const err = await rejectionOf(send(overrides));

    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ status, code });
    expect(errorToHttp(err, RETRY_AFTER)).toMatchObject({ status, jsonBody: { error: code } });
    expect(calls).toEqual([]);
    expect(blobs.names()).toEqual([]);
    expect(records.all()).toEqual([]);
  });

  test('405 names the allowed method', async () => {
    const err = await rejectionOf(fixture().send({ method: 'DELETE' }));
    expect(errorToHttp(err, RETRY_AFTER)).toMatchObject({ status: 405, headers: { Allow: 'POST' } });
  });

  test('a schema violation reports the model and each offending path', async () => {
    const { send, calls } = fixture();
    const body = JSON.stringify({
      firmware: '2.4.1',
      readings: [
        { timestamp: '2026-11-25T08:10:00Z', oilTemperatureC: 999 },
        { timestamp: '2026-11-25T08:11:00Z', densityKgM3: 'heavy' },
      ],
    });

    const err = await rejectionOf(send({ body }));

    expect(err).toBeInstanceOf(SchemaValidationError);
    expect(err).toMatchObject({ status: 400, schemaId: MODEL });
    const paths = (err as SchemaValidationError).details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/', '/readings/0/oilTemperatureC', '/readings/1/densityKgM3']),
    );
    expect(errorToHttp(err, RETRY_AFTER).jsonBody).toMatchObject({
      error: 'schema_validation',
      schemaId: MODEL,
    });
    expect(calls).toEqual([]);
  });

  test('a refusal does not depend on storage: every storage call failing still gives the 4xx', async () => {
    const { send, calls, blobs, records } = fixture();
    records.on('get', crash);
    records.on('insert', crash);
    blobs.on('createIfAbsent', crash);
    blobs.on('find', crash);

    const err = await rejectionOf(send({ contentType: 'text/csv' }));

    expect(err).toMatchObject({ status: 415 });
    expect(calls).toEqual([]);
  });
});

describe('IngestService: the receive clock', () => {
  test('the clock names the date path and receivedAt; a resend on a later day returns the first name', async () => {
    const lastMs = '2026-12-31T23:59:59.999Z';
    const { send, clock, blobs } = fixture(lastMs);

    const first = await send();

    expect(first).toMatchObject({ status: 'stored', receivedAt: lastMs });
    expect(first.blobName).toBe(`${DEVICE}/2026/12/31/235959999Z_${sha256(KEY).slice(0, 16)}.json`);
    expect(blobs.peek(first.blobName)!.metadata.receivedat).toBe(lastMs);

    clock.advance(1); // 2027-01-01T00:00:00.000Z
    const resent = await send();
    const fresh = await send({ idempotencyKey: 'batch-0002', body: OTHER_BODY });

    expect(resent).toEqual({ ...first, status: 'duplicate' });
    expect(fresh).toMatchObject({ status: 'stored', receivedAt: '2027-01-01T00:00:00.000Z' });
    expect(fresh.blobName).toBe(`${DEVICE}/2027/01/01/000000000Z_${sha256('batch-0002').slice(0, 16)}.json`);
    expect(blobs.names()).toEqual([first.blobName, fresh.blobName]);
  });
});

describe('IngestService: a device model this deployment does not have', () => {
  test('is a 500 with its own code naming the model, and nothing is written', async () => {
    const key = newDeviceKey(DEVICE);
    // The registry names a model from a newer deployment (or one written around the CLI's check).
    const registry: DeviceRegistry = {
      get: async () => ({
        deviceId: DEVICE,
        model: 'oil-condition-v9',
        disabled: false,
        createdAt: T0,
        keys: [{ keyId: key.keyId, hash: key.hash, createdAt: T0 }],
      }),
      touchKey: async () => undefined,
    };
    const { send, calls } = fixture(T0, { authenticator: new DeviceAuthenticator(registry) });

    const err = await rejectionOf(send({ authorization: `Bearer ${key.token}` }));

    expect(err).toBeInstanceOf(ModelNotDeployedError);
    expect(errorToHttp(err, RETRY_AFTER)).toMatchObject({
      status: 500,
      headers: { 'Retry-After': String(RETRY_AFTER) },
      jsonBody: { error: 'model_not_deployed', message: expect.stringContaining('"oil-condition-v9"') },
    });
    // The error log line names the model, so the operator knows what to deploy or fix.
    expect(describeError(err)).toContain('oil-condition-v9');
    expect(calls).toEqual([]);
  });
});
