import { fileFromMultipart, MULTIPART_OVERHEAD_BYTES } from './multipartBody';
import type { BodyTimeouts, Timers } from './bodyDeadline';
import { blobNameFor } from './blobName';
import { parseDeviceId } from './deviceId';
import {
  ClaimInFlightError,
  IdempotencyKeyReuseError,
  RequestError,
  StorageUnavailableError,
  StoredBlobMismatchError,
} from './errors';
import { idempotencyKeyFor, shortKey } from './idempotencyKey';
import { type Claim, type IdempotencyRecord, RecordState } from './idempotencyRecord';
import { parseJson } from './parseJson';
import type { RawBody } from './rawBody';
import { storedSummary, summarizeReadings, summaryMetadata } from './readingSummary';
import type { SettledFiles } from './settledFiles';
import type { DeviceAuthenticator } from './auth/authenticateDevice';
import { credentialFrom, refuseKeyInQuery } from './auth/deviceCredential';
import { addressGroup, platformSeenAddress } from './clientAddress';
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
import { clockEvidence } from './telemetry/clockEvidence';
import type { IngestTrace } from './requestLog';
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
  /** Names a claim's blob (default `blobNameFor`; the runtime's puts smoke-test devices under `_smoke/`). */
  nameBlob?: typeof blobNameFor;
  /** Files this instance saw stored: their resends need no storage round trip. */
  settled?: SettledFiles;
  /**
   * How long after a claim's last write its writer may still land a blob (its storage deadline and
   * then some): until then other bytes for the key wait (503) rather than race it.
   */
  claimInFlightMs: number;
  /** The header that may carry the device key (`DEVICE_KEY_HEADER`), named in error messages. */
  deviceKeyHeader?: string;
  now?: () => Date;
}

/**
 * The ingest algorithm. Everything that can be refused is checked before the first write (only the
 * device registry is read, through its cache), so a rejected request stores nothing. Then:
 *
 *   0. a file this instance already saw stored                        -> 200 duplicate (or 422)
 *   1. insert the claim as `pending`, naming the blob, with its ledger marker (one transaction)
 *      (conditional insert: the one decision point for races and resends) -> exists? read it, go to 3
 *   2. put the blob with If-None-Match: *                             -> 200 stored
 *   3. the key is claimed:
 *      - `stored`: same SHA-256 -> 200 duplicate, else 422;
 *      - `pending`, same SHA-256: make sure the blob exists (write the same bytes if a crash left it
 *        missing), mark the claim `stored`, answer 200;
 *      - `pending`, other bytes: the claimed blob exists -> 422; it does not -> nothing was stored, so
 *        the claim takes these bytes (conditional update) and they are written under its name;
 *      - `orphaned` (the sweep found no blob hours later): a new receipt of the key, whatever its bytes.
 *
 * Every step is idempotent and conditional, so any crash followed by the device's retry converges to
 * one blob per (device, key). docs/DELIVERY.md's crash-point table walks through each step; the
 * sweep (shared/sweep/) settles every claim whether or not its device ever comes back.
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
    trace.client = addressGroup(clientIp);
    // The key is checked before a byte of the body is read.
    const device = await this.deps.authenticator?.authenticate(
      deviceId,
      credentialFrom(deviceId, request),
      trace.client,
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
    Object.assign(
      trace,
      { model: schemaId, readings: readings?.readings },
      clockEvidence(readings, this.now()),
    );

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
    const { deviceId, sha256, key } = admitted;
    const settled = this.deps.settled?.get(deviceId, key);
    if (settled) {
      if (settled.sha256 !== sha256) throw new IdempotencyKeyReuseError();
      return this.outcome('duplicate', settled);
    }

    const record = this.claimFor(admitted, this.now());
    // The insert comes first and is the only check: a new file costs exactly the two writes, and a
    // conflict (a resend, a concurrent request, our own timed-out attempt) is read only then.
    if ((await this.deps.records.insert(record)) === 'exists') return this.resume(admitted);
    return this.writeBlob(record, admitted);
  }

  /** The claim a new receipt makes: the blob name and summary follow from the receive time. */
  private claimFor(
    { deviceId, body, sha256, key, schemaId, readings }: Admitted,
    receivedAt: Date,
  ): IdempotencyRecord {
    return {
      deviceId,
      key,
      blobName: (this.deps.nameBlob ?? blobNameFor)(deviceId, receivedAt, shortKey(key)),
      sha256,
      sizeBytes: body.byteLength,
      receivedAt: receivedAt.toISOString(),
      schemaId,
      state: RecordState.Pending,
      // Written in the same insert as the entry itself.
      summary: storedSummary(readings, receivedAt),
    };
  }

  /** Puts the blob a claim names. 'exists' means a concurrent request already wrote these very bytes. */
  private async writeBlob(record: IdempotencyRecord, { body, receipt }: Admitted): Promise<IngestOutcome> {
    const written = await this.deps.blobs.createIfAbsent(this.blobFor(record, body, receipt));
    if (written === 'exists') await this.confirmStored(record);
    this.deps.settled?.remember(record);
    return this.outcome(written === 'created' ? 'stored' : 'duplicate', record);
  }

  /**
   * The key is claimed already. A claim changes only through conditional writes, so one that moved
   * under us is read again: a few rounds settle any race, and more mean storage is misbehaving.
   */
  private async resume(admitted: Admitted): Promise<IngestOutcome> {
    for (let round = 0; round < 3; round++) {
      const claim = await this.deps.records.get(admitted.deviceId, admitted.key);
      if (!claim)
        throw new StorageUnavailableError('table.get', new Error('entry vanished after insert conflict'));
      const outcome = await this.resumeClaim(claim, admitted);
      if (outcome) return outcome;
    }
    throw new StorageUnavailableError('table.update', new Error('the claim kept changing'));
  }

  /** Undefined when the claim changed before our conditional write: read it again. */
  private async resumeClaim(claim: Claim, admitted: Admitted): Promise<IngestOutcome | undefined> {
    if (claim.state === RecordState.Orphaned) return this.reclaim(claim, admitted);
    if (claim.sha256 !== admitted.sha256) {
      if (claim.state === RecordState.Stored) throw new IdempotencyKeyReuseError();
      return this.rewrite(claim, admitted);
    }
    if (claim.state === RecordState.Stored) {
      this.deps.settled?.remember(claim);
      return this.outcome('duplicate', claim);
    }
    return this.completePending(claim, admitted);
  }

  /**
   * Pending, same bytes: the first writer may have crashed before its blob landed. The bytes are
   * identical (same SHA-256), so writing them under the claimed name is safe whoever wins.
   */
  private async completePending(record: IdempotencyRecord, admitted: Admitted): Promise<IngestOutcome> {
    const found = await this.deps.blobs.find(record.blobName);
    const wrote =
      !found &&
      (await this.deps.blobs.createIfAbsent(this.blobFor(record, admitted.body, admitted.receipt))) ===
        'created';
    if (!wrote) await this.confirmStored(record, found);
    // Only an optimisation for the next resend: the blob is durable either way, so a failure here
    // must not turn this 200 into a 503.
    await this.deps.records.markStored(record).catch(() => undefined);
    this.deps.settled?.remember(record);
    return this.outcome(wrote ? 'stored' : 'duplicate', record);
  }

  /**
   * Pending, other bytes (a gateway that rewrote its file under a stable key). If the claimed blob
   * exists, the key holds other bytes: 422. If not, nothing was ever stored under the claim, so it
   * must not block the file: once the claim's own writer cannot still be at work, the claim takes
   * these bytes (conditionally) and they are written under the claimed name.
   */
  private async rewrite(claim: Claim, admitted: Admitted): Promise<IngestOutcome | undefined> {
    const found = await this.deps.blobs.find(claim.blobName);
    if (found) {
      if (found.sha256 === claim.sha256) throw new IdempotencyKeyReuseError();
      throw new StoredBlobMismatchError(claim.blobName);
    }
    const waitMs = Date.parse(claim.updatedAt) + this.deps.claimInFlightMs - this.now().getTime();
    if (waitMs > 0) throw new ClaimInFlightError(Math.ceil(waitMs / 1000));
    const next = {
      ...this.claimFor(admitted, new Date(claim.receivedAt)),
      blobName: claim.blobName,
      rewrittenAt: this.now().toISOString(),
    };
    if ((await this.deps.records.rewrite(claim, next)) === 'conflict') return undefined;
    return this.writeBlob(next, admitted);
  }

  /** An orphan (no blob, long after its claim): this request is a new receipt of the key. */
  private async reclaim(orphan: Claim, admitted: Admitted): Promise<IngestOutcome | undefined> {
    const next = this.claimFor(admitted, this.now());
    if ((await this.deps.records.reclaim(orphan, next)) === 'conflict') return undefined;
    return this.writeBlob(next, admitted);
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
