import { isIP } from 'node:net';
import { fileFromMultipart, MULTIPART_OVERHEAD_BYTES } from './multipartBody';
import type { BodyTimeouts, Timers } from './bodyDeadline';
import { blobNameFor } from './blobName';
import { parseDeviceId } from './deviceId';
import {
  IdempotencyKeyReuseError,
  RequestError,
  StorageUnavailableError,
  StoredBlobMismatchError,
} from './errors';
import { idempotencyKeyFor, shortKey } from './idempotencyKey';
import { type IdempotencyRecord, RecordState } from './idempotencyRecord';
import { parseJson } from './parseJson';
import type { RawBody } from './rawBody';
import { storedSummary, summarizeReadings, summaryMetadata } from './readingSummary';
import type { SettledFiles } from './settledFiles';
import type { DeviceAuthenticator } from './auth/authenticateDevice';
import { credentialFrom, refuseKeyInQuery } from './auth/deviceCredential';
import { addressGroup } from './clientAddress';
import type { TokenBucketLimiter } from './rateLimiter';
import {
  type ContentEncoding,
  checkContentEncoding,
  checkContentLength,
  checkContentType,
  decodeBody,
  readBodyCapped,
} from './requestBody';
import type { IdempotencyStore, RawBlobStore } from './storage/types';
import { type DeviceModelMap, modelForDevice } from './validation/deviceModels';
import { checkPayloadDevice } from './validation/modelProfile';
import type { PayloadValidator } from './validation/payloadValidator';

/** What the function layer hands over: plain values, no Azure Functions types. */
export interface IngestRequest {
  method: string;
  deviceId: string | undefined;
  contentType: string | null;
  contentLength: string | null;
  contentEncoding: string | null;
  authorization: string | null;
  /** The configured device-key header (`DEVICE_KEY_HEADER`), for gateways that cannot set Authorization. */
  deviceKey: string | null;
  /** The URL's query parameters: only looked at to refuse a key sent there. */
  query?: URLSearchParams | null;
  idempotencyKey: string | null;
  /** X-Forwarded-For as received; only its last hop (appended by the platform) is trusted. */
  forwardedFor: string | null;
  body: AsyncIterable<Uint8Array> | null;
}

export interface IngestOutcome {
  /** `stored`: this request wrote the blob. `duplicate`: it was already stored by an earlier one. */
  status: 'stored' | 'duplicate';
  container: string;
  blobName: string;
  sha256: string;
  sizeBytes: number;
  receivedAt: string;
  schemaId: string;
}

/** How this request's copy of the bytes arrived, recorded in the blob's metadata. */
interface Receipt {
  clientIp: string;
  encoding: ContentEncoding;
}

/** A request that passed every check, ready to be stored. */
interface Admitted {
  deviceId: string;
  body: RawBody;
  sha256: string;
  key: string;
  schemaId: string;
  receipt: Receipt;
  /** From the payload already parsed for validation: no second pass, no extra round trip. */
  readings: ReturnType<typeof summarizeReadings>;
}

/** Filled in as the request progresses, so the one log line can say how far it got. */
export interface IngestTrace {
  deviceId?: string;
  key?: string;
  bytes?: number;
}

export interface IngestDependencies {
  rawContainer: string;
  maxBodyBytes: number;
  /** The body's read deadlines (none when absent). */
  bodyTimeouts?: BodyTimeouts;
  /** The clock and timers of those deadlines (the system's by default). */
  timers?: Timers;
  maxJsonDepth: number;
  validator: PayloadValidator;
  deviceModels: DeviceModelMap;
  blobs: RawBlobStore;
  records: IdempotencyStore;
  /** Absent only when INGEST_AUTH=off (local development). */
  authenticator?: DeviceAuthenticator;
  rateLimiter?: TokenBucketLimiter;
  /** Files this instance saw stored: their resends need no storage round trip. */
  settled?: SettledFiles;
  /** The header that may carry the device key (`DEVICE_KEY_HEADER`), named in error messages. */
  deviceKeyHeader?: string;
  now?: () => Date;
}

/**
 * The ingest algorithm. Everything that can be refused is checked before the first write (only the
 * device registry is read, through its cache), so a rejected request stores nothing. Then:
 *
 *   0. a file this instance already saw stored                        -> 200 duplicate (or 422)
 *   1. insert the idempotency entry as `pending`, naming the blob      -> exists? read it, go to 3
 *      (conditional insert: the one decision point for races and resends)
 *   2. put the blob with If-None-Match: *                             -> 200 stored
 *   3. resend: same SHA-256 or 422; entry `stored` -> 200 duplicate; else make sure the blob exists
 *      (write it with the same bytes if a crash left it missing), mark the entry `stored`, answer 200.
 *
 * Every step is idempotent and conditional, so any crash followed by the device's retry converges to
 * one blob per (device, key). docs/DELIVERY.md's crash-point table walks through each step.
 */
export class IngestService {
  private readonly now: () => Date;

  constructor(private readonly deps: IngestDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  async ingest(request: IngestRequest, trace: IngestTrace = {}): Promise<IngestOutcome> {
    const admitted = await this.admit(request, trace);
    return this.store(admitted);
  }

  /** Everything that can refuse a request, cheapest first; no storage write happens here. */
  private async admit(request: IngestRequest, trace: IngestTrace): Promise<Admitted> {
    const deviceId = parseDeviceId(request.deviceId);
    trace.deviceId = deviceId;
    if (request.method.toUpperCase() !== 'POST') {
      throw new RequestError(405, 'method_not_allowed', 'Use POST to send a file.', [], { Allow: 'POST' });
    }
    refuseKeyInQuery(request.query, this.deps.deviceKeyHeader ?? 'x-device-key');
    const clientIp = platformSeenAddress(request.forwardedFor);
    // The key is checked before a byte of the body is read.
    const device = await this.deps.authenticator?.authenticate(
      deviceId,
      credentialFrom(deviceId, request),
      addressGroup(clientIp),
    );
    this.takeRateToken(deviceId);
    const { body, encoding } = await this.receiveBody(request);
    trace.bytes = body.byteLength;
    const payload = parseJson(body, this.deps.maxJsonDepth);
    // The registry's model wins; the device map covers local development without a registry.
    const schemaId = device?.model ?? modelForDevice(this.deps.deviceModels, deviceId);
    this.deps.validator.validate(schemaId, payload, body.byteLength);
    const profile = this.deps.validator.profile(schemaId);
    checkPayloadDevice(profile, payload, deviceId);
    const readings = summarizeReadings(profile, payload);

    const sha256 = body.digest('sha256').toString('hex');
    const key = idempotencyKeyFor(request.idempotencyKey, sha256);
    trace.key = shortKey(key);
    return {
      deviceId,
      body,
      sha256,
      key,
      schemaId,
      receipt: { clientIp, encoding },
      readings,
    };
  }

  /**
   * The file's bytes: the body as it travelled (raw JSON, or a form around it), read within its
   * caps and deadlines, gzip undone, the form's one JSON file part taken out.
   */
  private async receiveBody(request: IngestRequest): Promise<{ body: RawBody; encoding: ContentEncoding }> {
    const { maxBodyBytes } = this.deps;
    const form = checkContentType(request.contentType);
    const encoding = checkContentEncoding(request.contentEncoding);
    const readCap = maxBodyBytes + (form === 'multipart' ? MULTIPART_OVERHEAD_BYTES : 0);
    const declaredLength = checkContentLength(request.contentLength, readCap);
    const received = await readBodyCapped(request.body, readCap, {
      ...this.deps.bodyTimeouts,
      declaredLength,
      timers: this.deps.timers,
    });
    const decoded = await decodeBody(received, encoding, readCap);
    const body =
      form === 'multipart' ? await fileFromMultipart(decoded, request.contentType!, maxBodyBytes) : decoded;
    return { body, encoding };
  }

  /** Steps 0-3 above: exactly two writes for a new file. */
  private async store(admitted: Admitted): Promise<IngestOutcome> {
    const { deviceId, body, sha256, key, schemaId, receipt, readings } = admitted;
    const settled = this.deps.settled?.get(deviceId, key);
    if (settled) {
      if (settled.sha256 !== sha256) throw new IdempotencyKeyReuseError();
      return this.outcome('duplicate', settled);
    }

    const receivedAt = this.now();
    const record: IdempotencyRecord = {
      deviceId,
      key,
      blobName: blobNameFor(deviceId, receivedAt, shortKey(key)),
      sha256,
      sizeBytes: body.byteLength,
      receivedAt: receivedAt.toISOString(),
      schemaId,
      state: RecordState.Pending,
      // Written in the same insert as the entry itself.
      summary: storedSummary(readings, receivedAt),
    };
    // The insert comes first and is the only check: a new file costs exactly the two writes, and a
    // conflict (a resend, a concurrent request, our own timed-out attempt) is read only then.
    if ((await this.deps.records.insert(record)) === 'exists') {
      const existing = await this.deps.records.get(deviceId, key);
      if (!existing)
        throw new StorageUnavailableError('table.get', new Error('entry vanished after insert conflict'));
      return this.resume(existing, admitted);
    }
    // 'exists' here means a concurrent resend already wrote these very bytes under our claimed name.
    const written = await this.deps.blobs.createIfAbsent(this.blobFor(record, body, receipt));
    if (written === 'exists') await this.confirmStored(record);
    this.deps.settled?.remember(record);
    return this.outcome(written === 'created' ? 'stored' : 'duplicate', record);
  }

  private async resume(
    record: IdempotencyRecord,
    { body, sha256, receipt }: Admitted,
  ): Promise<IngestOutcome> {
    if (record.sha256 !== sha256) throw new IdempotencyKeyReuseError();
    if (record.state === RecordState.Stored) {
      this.deps.settled?.remember(record);
      return this.outcome('duplicate', record);
    }

    // Pending: the first writer may have crashed before its blob landed. The bytes are identical
    // (same SHA-256), so writing them under the claimed name is safe whoever wins.
    const found = await this.deps.blobs.find(record.blobName);
    const wrote =
      !found && (await this.deps.blobs.createIfAbsent(this.blobFor(record, body, receipt))) === 'created';
    if (!wrote) await this.confirmStored(record, found);
    // Only an optimisation for the next resend: the blob is durable either way, so a failure here
    // must not turn this 200 into a 503.
    await this.deps.records.markStored(record).catch(() => undefined);
    this.deps.settled?.remember(record);
    return this.outcome(wrote ? 'stored' : 'duplicate', record);
  }

  /**
   * A blob already under the claimed name is answered 200 only if it holds the bytes the entry
   * records: its `sha256` metadata, written in the same Put as the bytes, must match.
   */
  private async confirmStored(record: IdempotencyRecord, found?: { sha256: string }): Promise<void> {
    const blob = found ?? (await this.deps.blobs.find(record.blobName));
    if (!blob)
      throw new StorageUnavailableError('blob.properties', new Error('blob vanished after write conflict'));
    if (blob.sha256 !== record.sha256) throw new StoredBlobMismatchError(record.blobName);
  }

  private takeRateToken(deviceId: string): void {
    const verdict = this.deps.rateLimiter?.take(deviceId);
    if (verdict && !verdict.allowed) {
      throw new RequestError(429, 'rate_limited', 'Too many requests from this device; retry later.', [], {
        'Retry-After': String(verdict.retryAfterSeconds),
      });
    }
  }

  private blobFor(record: IdempotencyRecord, body: RawBody, receipt: Receipt) {
    return {
      name: record.blobName,
      body,
      // Blob Storage checks Content-MD5 on upload, so a corrupted transfer is refused, not stored.
      contentMD5: body.digest('md5'),
      // Metadata values must be ASCII header values: the key is printable ASCII but is encoded anyway
      // so leading/trailing spaces and quotes survive intact.
      metadata: {
        deviceid: record.deviceId,
        receivedat: record.receivedAt,
        sha256: record.sha256,
        idempotencykey: encodeURIComponent(record.key),
        schemaid: record.schemaId,
        clientip: receipt.clientIp,
        sizebytes: String(record.sizeBytes),
        // The blob always holds the decompressed JSON; this says how it travelled.
        receivedencoding: receipt.encoding,
        ...summaryMetadata(record.summary),
      },
    };
  }

  private outcome(status: IngestOutcome['status'], record: IdempotencyRecord): IngestOutcome {
    return {
      status,
      container: this.deps.rawContainer,
      blobName: record.blobName,
      sha256: record.sha256,
      sizeBytes: record.sizeBytes,
      receivedAt: record.receivedAt,
      schemaId: record.schemaId,
    };
  }
}

/**
 * The address the platform saw: the LAST X-Forwarded-For hop, the one Azure's front end appends
 * (as `ip:port`; the dev host appends the socket address). Earlier hops are whatever the client
 * wrote and prove nothing.
 */
export function platformSeenAddress(forwardedFor: string | null): string {
  const last = forwardedFor?.split(',').pop()?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last)?.[1];
  const candidate = bracketed ?? (last.split(':').length === 2 ? last.split(':')[0]! : last);
  return isIP(candidate) ? candidate : 'unknown';
}
