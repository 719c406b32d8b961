/**
 * Property-based fuzzing of the ingest handler: whatever a client sends, with storage healthy the
 * answer is 200 or a 4xx with a JSON error body, never a 5xx or a crash. Shared by the jest test
 * (fixed seed, a few hundred runs) and `npm run fuzz` (as many runs as you like).
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';

export interface FuzzRequest {
  method: string;
  deviceId: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface FuzzResponse {
  status: number;
  body: Record<string, unknown>;
}

const header = fc
  .string({ unit: 'binary-ascii', maxLength: 300 })
  // What a real HTTP stack can deliver: no NUL/CR/LF, no surrounding whitespace.
  .map((s) => s.replace(/[\0\r\n]/g, '').trim());

const reading = fc.record(
  {
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    oilTemperatureC: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
    densityKgM3: fc.oneof(fc.double({ min: 400, max: 1600, noNaN: true }), fc.anything()),
    viscosityCSt: fc.oneof(fc.double({ min: -1, max: 20000, noNaN: true }), fc.boolean()),
  },
  { requiredKeys: [] },
);

const oilLike = (deviceId: string) =>
  fc
    .record(
      {
        deviceId: fc.oneof(fc.constant(deviceId), fc.string(), fc.integer()),
        sentAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        readings: fc.oneof(reading, fc.array(reading, { maxLength: 20 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v));

/** Payloads the oil model accepts, so the storage path is exercised as often as the refusals. */
const validOil = (deviceId: string) =>
  fc
    .array(
      fc.record({
        timestamp: fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        oilTemperatureC: fc.double({ min: -60, max: 250, noNaN: true }),
        densityKgM3: fc.double({ min: 500, max: 1500, noNaN: true }),
        viscosityCSt: fc.double({ min: 0, max: 10000, noNaN: true }),
      }),
      { minLength: 1, maxLength: 20 },
    )
    .map((readings) => JSON.stringify({ deviceId, readings }));

const bodyText = (deviceId: string) =>
  fc.oneof(
    { weight: 4, arbitrary: validOil(deviceId) },
    { weight: 3, arbitrary: oilLike(deviceId) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 500 }) },
    { weight: 1, arbitrary: oilLike(deviceId).chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))) },
    { weight: 1, arbitrary: fc.nat(80).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
  );

export function fuzzRequest(keys: Readonly<Record<string, string>>): fc.Arbitrary<FuzzRequest> {
  const known = Object.keys(keys);
  const deviceId = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~%-]{0,70}$/) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  );
  return deviceId.chain((id) =>
    fc
      .record({
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant('POST') },
          { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE') },
        ),
        contentType: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.constantFrom(
              'application/json',
              'application/json; charset=utf-8',
              'APPLICATION/JSON',
            ),
          },
          { weight: 1, arbitrary: header },
        ),
        encoding: fc.constantFrom(undefined, undefined, 'gzip', 'identity', 'br'),
        compress: fc.boolean(),
        idempotencyKey: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: fc.stringMatching(/^[!-~]{1,128}$/) },
          { weight: 1, arbitrary: header },
        ),
        credential: fc.oneof(
          { weight: 6, arbitrary: fc.constant(keys[id] ?? '') },
          { weight: 1, arbitrary: fc.constantFrom(...known.map((k) => keys[k]!)) },
          { weight: 1, arbitrary: header },
        ),
        body: fc.oneof(
          { weight: 8, arbitrary: bodyText(id).map((t) => Buffer.from(t)) },
          fc.uint8Array({ maxLength: 600 }),
        ),
      })
      .map(({ method, contentType, encoding, compress, idempotencyKey, credential, body }) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (encoding) headers['content-encoding'] = encoding;
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        if (credential) headers.authorization = `Bearer ${credential}`;
        return {
          method,
          deviceId: id,
          headers,
          body: encoding === 'gzip' && compress ? gzipSync(body) : body,
        };
      }),
  );
}

/** Throws (with fast-check's shrunk counterexample) if any request gets a 5xx or a malformed answer. */
export async function assertNever5xx(
  send: (request: FuzzRequest) => Promise<FuzzResponse>,
  keys: Readonly<Record<string, string>>,
  options: { numRuns: number; seed?: number },
): Promise<{ statuses: Record<number, number> }> {
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(fuzzRequest(keys), async (request) => {
      const { status, body } = await send(request);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) return body.status === 'stored' || body.status === 'duplicate';
      return (
        status >= 400 && status < 500 && typeof body.error === 'string' && typeof body.message === 'string'
      );
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true },
  );
  return { statuses };
}
