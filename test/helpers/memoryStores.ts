/**
 * In-memory storage ports for UNIT tests (integration tests use Azurite). They model the real
 * adapters (blobRawStore.ts, tableIdempotencyStore.ts, tableDeviceRegistry.ts), not an idealised
 * store, and test/integration/storePorts.contract.test.ts runs the same cases against both:
 *
 * - `insert` is conditional on (device, key) and answers 'exists' on a conflict, as a 409 does;
 * - `createIfAbsent` answers 'exists' when the name is taken (If-None-Match: *) and, like Blob Storage,
 *   refuses a body whose Content-MD5 does not match;
 * - `markStored` is a Merge of `state` only, which fails when the entry is gone (404);
 * - every failure surfaces as StorageUnavailableError named after the real adapter's operation;
 * - the device registry keeps a device row and key rows apart, as the devices table does;
 * - records and blobs are copied in and out, so a caller cannot mutate stored state.
 *
 * Each store logs its calls (into a log that can be shared, so the order across both stores shows)
 * and lets a test run a hook before an operation or make the next call of it fail.
 */
import type { DeviceKeyRecord, DeviceRecord, DeviceRegistryAdmin } from '../../shared/auth/deviceRecord';
import { StorageUnavailableError } from '../../shared/errors';
import type { Claim, IdempotencyRecord } from '../../shared/idempotencyRecord';
import { toRowKey } from '../../shared/idempotencyKey';
import { isLedgerRowKey } from '../../shared/ledger/rowKeys';
import { claimEntity, claimOf, type Entity } from '../../shared/storage/ledgerEntities';
import { TableIdempotencyStore } from '../../shared/storage/tableIdempotencyStore';
import { RawBody } from '../../shared/rawBody';
import type { IdempotencyStore, RawBlob, RawBlobStore } from '../../shared/storage/types';
import type { LedgerStore, Settlement } from '../../shared/ledger/types';
import { TableLedgerStore } from '../../shared/storage/tableLedgerStore';
import type { Confirmation, ConfirmationLog } from '../../shared/sweep/types';
import { MemoryTableClient } from './memoryTableClient';

export type RecordOps = {
  get: [deviceId: string, key: string];
  insert: [record: IdempotencyRecord];
  markStored: [record: IdempotencyRecord];
  rewrite: [claim: Claim, next: IdempotencyRecord];
  reclaim: [orphan: Claim, next: IdempotencyRecord];
  ping: [];
};
export type BlobOps = {
  createIfAbsent: [blob: RawBlob];
  find: [name: string];
};
/** The request path's calls only; the admin methods (the ops CLI's) are not intercepted. */
export type DeviceOps = {
  get: [deviceId: string];
  touchKey: [deviceId: string, keyId: string, at: Date];
};

/** `records.insert`, `blobs.find`, ...: one entry per call that reached the store, failed ones too. */
export type CallLog = string[];

type Hook<Args extends unknown[]> = (...args: Args) => unknown;

interface Failure {
  error: unknown;
  /** The operation takes effect and then its answer is lost (a timeout after the write landed). */
  after: boolean;
}

/** The real adapters' operation names, as StorageUnavailableError reports them. */
const REAL_OPERATION: Record<string, string> = {
  'records.get': 'table.get',
  'records.insert': 'table.insert',
  'records.markStored': 'table.merge',
  'records.rewrite': 'table.rewrite',
  'records.reclaim': 'table.reclaim',
  'records.ping': 'table.ping',
  'blobs.createIfAbsent': 'blob.upload',
  'blobs.find': 'blob.properties',
  'ledger.markers': 'table.markers',
  'ledger.claim': 'table.get',
  'ledger.rollupsOf': 'table.get',
  'ledger.settle': 'table.settle',
  'ledger.rollupRange': 'table.rollups',
  'ledger.fileLog': 'table.files',
  'confirmations.record': 'blob.upload',
  'devices.get': 'devices.get',
  'devices.touchKey': 'devices.touch',
};

/** Hooks, injected failures and the call log for one store. */
class Interceptor<Ops extends Record<string, unknown[]>> {
  private readonly hooks = new Map<keyof Ops, Array<{ fn: Hook<never>; once: boolean }>>();
  private readonly failures = new Map<keyof Ops, Failure[]>();

  constructor(
    private readonly prefix: string,
    readonly calls: CallLog,
  ) {}

  /** Runs `fn` before every call of `op` (awaited), until the returned function removes it. */
  on<Op extends keyof Ops>(op: Op, fn: Hook<Ops[Op]>): () => void {
    return this.add(op, fn, false);
  }

  /** Runs `fn` before the next call of `op` only; it is removed before it runs, so it may re-enter. */
  once<Op extends keyof Ops>(op: Op, fn: Hook<Ops[Op]>): () => void {
    return this.add(op, fn, true);
  }

  /**
   * The next call of `op` fails with `error` (by default what the real adapter raises). With
   * `after: true` the operation takes effect first and only its answer is lost.
   */
  failNext(op: keyof Ops, error?: unknown, { after = false }: { after?: boolean } = {}): void {
    const name = `${this.prefix}.${String(op)}`;
    const failure = {
      error: error ?? new StorageUnavailableError(REAL_OPERATION[name] ?? name, new Error('injected fault')),
      after,
    };
    this.failures.set(op, [...(this.failures.get(op) ?? []), failure]);
  }

  /** Hooks first, then the call is logged, then an injected failure or the operation itself. */
  async run<Op extends keyof Ops, T>(op: Op, args: Ops[Op], operation: () => T | Promise<T>): Promise<T> {
    for (const hook of [...(this.hooks.get(op) ?? [])]) {
      if (hook.once) this.remove(op, hook);
      await (hook.fn as Hook<Ops[Op]>)(...args);
    }
    this.calls.push(`${this.prefix}.${String(op)}`);
    const failure = this.failures.get(op)?.shift();
    if (failure && !failure.after) throw failure.error;
    // A real call is a network round trip: never answer synchronously.
    await Promise.resolve();
    const result = await operation();
    if (failure) throw failure.error;
    return result;
  }

  private add<Op extends keyof Ops>(op: Op, fn: Hook<Ops[Op]>, once: boolean): () => void {
    const hook = { fn: fn as Hook<never>, once };
    this.hooks.set(op, [...(this.hooks.get(op) ?? []), hook]);
    return () => this.remove(op, hook);
  }

  private remove(op: keyof Ops, hook: { fn: Hook<never>; once: boolean }): void {
    this.hooks.set(
      op,
      (this.hooks.get(op) ?? []).filter((h) => h !== hook),
    );
  }
}

const copyRecord = (record: IdempotencyRecord): IdempotencyRecord => ({ ...record });

const copyBlob = (blob: RawBlob): RawBlob => ({
  name: blob.name,
  body: RawBody.of(Uint8Array.from(blob.body.toBuffer())),
  contentMD5: Uint8Array.from(blob.contentMD5),
  metadata: { ...blob.metadata },
});

export class MemoryIdempotencyStore implements IdempotencyStore {
  /** The idempotency table, shared with a MemoryLedgerStore built on it (claims, markers, ledger rows). */
  readonly table: MemoryTableClient;
  private readonly adapter: TableIdempotencyStore;
  private readonly interceptor: Interceptor<RecordOps>;

  constructor(calls: CallLog = [], now: () => Date = () => new Date()) {
    this.table = new MemoryTableClient(now);
    this.adapter = new TableIdempotencyStore(this.table.asClient(), 1_000);
    this.interceptor = new Interceptor<RecordOps>('records', calls);
  }

  get calls(): CallLog {
    return this.interceptor.calls;
  }

  get(deviceId: string, key: string): Promise<Claim | undefined> {
    return this.interceptor.run('get', [deviceId, key], () => this.adapter.get(deviceId, key));
  }

  insert(record: IdempotencyRecord): Promise<'inserted' | 'exists'> {
    return this.interceptor.run('insert', [copyRecord(record)], () => this.adapter.insert(record));
  }

  /** A Merge of `state` only, as the table adapter sends: the caller's other fields are ignored. */
  markStored(record: IdempotencyRecord): Promise<void> {
    return this.interceptor.run('markStored', [copyRecord(record)], () => this.adapter.markStored(record));
  }

  rewrite(claim: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'> {
    return this.interceptor.run('rewrite', [claim, copyRecord(next)], () =>
      this.adapter.rewrite(claim, next),
    );
  }

  reclaim(orphan: Claim, next: IdempotencyRecord): Promise<'updated' | 'conflict'> {
    return this.interceptor.run('reclaim', [orphan, copyRecord(next)], () =>
      this.adapter.reclaim(orphan, next),
    );
  }

  ping(): Promise<void> {
    return this.interceptor.run('ping', [], () => undefined);
  }

  on<Op extends keyof RecordOps>(op: Op, fn: Hook<RecordOps[Op]>): () => void {
    return this.interceptor.on(op, fn);
  }

  once<Op extends keyof RecordOps>(op: Op, fn: Hook<RecordOps[Op]>): () => void {
    return this.interceptor.once(op, fn);
  }

  failNext(op: keyof RecordOps, error?: unknown, options?: { after?: boolean }): void {
    this.interceptor.failNext(op, error, options);
  }

  /** Direct access for arranging and inspecting claims: not logged, no hooks, no failures, no marker. */
  put(record: IdempotencyRecord): void {
    this.table.put(claimEntity(record));
  }

  delete(deviceId: string, key: string): boolean {
    return this.table.delete(deviceId, toRowKey(key));
  }

  peek(deviceId: string, key: string): IdempotencyRecord | undefined {
    return this.all().find((r) => r.deviceId === deviceId && r.key === key);
  }

  /** Every claim, as plain records (no ETag, no store time); ledger rows left out. */
  all(): IdempotencyRecord[] {
    return this.table
      .all()
      .filter((row) => !isLedgerRowKey(row.rowKey))
      .map((row) => {
        const record: Partial<Claim> & IdempotencyRecord = claimOf(row as Entity);
        delete record.etag;
        delete record.updatedAt;
        return record;
      });
  }
}

export class MemoryBlobStore implements RawBlobStore {
  private readonly blobs = new Map<string, RawBlob>();
  private readonly interceptor: Interceptor<BlobOps>;

  constructor(calls: CallLog = []) {
    this.interceptor = new Interceptor<BlobOps>('blobs', calls);
  }

  get calls(): CallLog {
    return this.interceptor.calls;
  }

  createIfAbsent(blob: RawBlob): Promise<'created' | 'exists'> {
    return this.interceptor.run('createIfAbsent', [copyBlob(blob)], () => {
      // Blob Storage checks Content-MD5 against the body and refuses a mismatch (400 Md5Mismatch).
      const md5 = blob.body.digest('md5');
      if (!md5.equals(Buffer.from(blob.contentMD5))) {
        throw new StorageUnavailableError('blob.upload', new Error('Md5Mismatch (400)'));
      }
      if (this.blobs.has(blob.name)) return 'exists' as const;
      this.blobs.set(blob.name, copyBlob(blob));
      return 'created' as const;
    });
  }

  find(name: string): Promise<{ sha256: string } | undefined> {
    return this.interceptor.run('find', [name], () => {
      const blob = this.blobs.get(name);
      return blob && { sha256: blob.metadata.sha256 ?? '' };
    });
  }

  on<Op extends keyof BlobOps>(op: Op, fn: Hook<BlobOps[Op]>): () => void {
    return this.interceptor.on(op, fn);
  }

  once<Op extends keyof BlobOps>(op: Op, fn: Hook<BlobOps[Op]>): () => void {
    return this.interceptor.once(op, fn);
  }

  failNext(op: keyof BlobOps, error?: unknown, options?: { after?: boolean }): void {
    this.interceptor.failNext(op, error, options);
  }

  /** Direct access for arranging and inspecting state: not logged, no hooks, no failures. */
  put(blob: RawBlob): void {
    this.blobs.set(blob.name, copyBlob(blob));
  }

  delete(name: string): boolean {
    return this.blobs.delete(name);
  }

  peek(name: string): RawBlob | undefined {
    const blob = this.blobs.get(name);
    return blob && copyBlob(blob);
  }

  names(): string[] {
    return [...this.blobs.keys()].sort();
  }
}

/** The device row of the devices table; the key rows sit beside it. */
interface DeviceRow {
  model: string;
  disabled: boolean;
  createdAt: string;
}

/** One partition of the devices table: the device row (absent until created) and its key rows. */
interface DevicePartition {
  device?: DeviceRow;
  keys: Map<string, DeviceKeyRecord>;
}

const copyKey = (key: DeviceKeyRecord): DeviceKeyRecord => ({ ...key });

export class MemoryDeviceRegistry implements DeviceRegistryAdmin {
  private readonly partitions = new Map<string, DevicePartition>();
  private readonly interceptor: Interceptor<DeviceOps>;

  constructor(calls: CallLog = []) {
    this.interceptor = new Interceptor<DeviceOps>('devices', calls);
  }

  get calls(): CallLog {
    return this.interceptor.calls;
  }

  get(deviceId: string): Promise<DeviceRecord | undefined> {
    return this.interceptor.run('get', [deviceId], () => this.record(deviceId));
  }

  /** A Merge of `lastUsedAt` into the key row, which fails when the key is gone (404). */
  touchKey(deviceId: string, keyId: string, at: Date): Promise<void> {
    return this.interceptor.run('touchKey', [deviceId, keyId, at], () => {
      const key = this.partitions.get(deviceId)?.keys.get(keyId);
      if (!key) throw new StorageUnavailableError('devices.touch', new Error('ResourceNotFound (404)'));
      key.lastUsedAt = at.toISOString();
    });
  }

  async create(
    device: { deviceId: string; model: string; createdAt: string },
    key: DeviceKeyRecord,
  ): Promise<void> {
    const partition = this.partition(device.deviceId);
    if (partition.device) throw new Error(`Device "${device.deviceId}" already exists.`);
    partition.device = { model: device.model, disabled: false, createdAt: device.createdAt };
    await this.addKey(device.deviceId, key);
  }

  /** Like the table, a key row needs no device row: without one, `get` still finds no device. */
  async addKey(deviceId: string, key: DeviceKeyRecord): Promise<void> {
    const keys = this.partition(deviceId).keys;
    if (keys.has(key.keyId)) throw new Error('EntityAlreadyExists (409)');
    keys.set(key.keyId, copyKey(key));
  }

  async expireKey(deviceId: string, keyId: string, expiresAt: string): Promise<void> {
    this.keyRow(deviceId, keyId).expiresAt = expiresAt;
  }

  async removeKey(deviceId: string, keyId: string): Promise<void> {
    this.keyRow(deviceId, keyId);
    this.partitions.get(deviceId)!.keys.delete(keyId);
  }

  async setDisabled(deviceId: string, disabled: boolean): Promise<void> {
    const device = this.partitions.get(deviceId)?.device;
    if (!device) throw new Error(`Device "${deviceId}" does not exist.`);
    device.disabled = disabled;
  }

  async remove(deviceId: string): Promise<void> {
    if (!this.partitions.get(deviceId)?.device) throw new Error(`Device "${deviceId}" does not exist.`);
    this.partitions.delete(deviceId);
  }

  async list(): Promise<DeviceRecord[]> {
    return [...this.partitions.keys()]
      .map((deviceId) => this.record(deviceId))
      .filter((record): record is DeviceRecord => record !== undefined)
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  on<Op extends keyof DeviceOps>(op: Op, fn: Hook<DeviceOps[Op]>): () => void {
    return this.interceptor.on(op, fn);
  }

  once<Op extends keyof DeviceOps>(op: Op, fn: Hook<DeviceOps[Op]>): () => void {
    return this.interceptor.once(op, fn);
  }

  failNext(op: keyof DeviceOps, error?: unknown, options?: { after?: boolean }): void {
    this.interceptor.failNext(op, error, options);
  }

  /** The device as the table adapter reads it: keys in RowKey (key id) order, '' model as none. */
  private record(deviceId: string): DeviceRecord | undefined {
    const partition = this.partitions.get(deviceId);
    if (!partition?.device) return undefined;
    const { model, disabled, createdAt } = partition.device;
    return {
      deviceId,
      model: model || undefined,
      disabled,
      createdAt,
      keys: [...partition.keys.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : 1)).map(copyKey),
    };
  }

  private partition(deviceId: string): DevicePartition {
    const partition = this.partitions.get(deviceId) ?? { keys: new Map<string, DeviceKeyRecord>() };
    this.partitions.set(deviceId, partition);
    return partition;
  }

  /** A key row that must exist, as a Merge or Delete needs (404 otherwise). */
  private keyRow(deviceId: string, keyId: string): DeviceKeyRecord {
    const key = this.partitions.get(deviceId)?.keys.get(keyId);
    if (!key) throw new Error('ResourceNotFound (404)');
    return key;
  }
}

/** Both stores sharing one call log, so a test sees the order of round trips across them. */
export function memoryStores(now?: () => Date): {
  blobs: MemoryBlobStore;
  records: MemoryIdempotencyStore;
  calls: CallLog;
} {
  const calls: CallLog = [];
  return { blobs: new MemoryBlobStore(calls), records: new MemoryIdempotencyStore(calls, now), calls };
}

export type LedgerOps = {
  markers: [deviceId: string];
  claim: [deviceId: string, key: string];
  rollupsOf: [deviceId: string, days: string[]];
  settle: [settlement: Settlement];
  rollupRange: [deviceId: string, fromDay: string, toDay: string];
  fileLog: [deviceId: string, from: Date, to: Date];
};

/**
 * The ledger over the same in-memory table as a MemoryIdempotencyStore (claims and ledger rows
 * share a partition, as in Azure), through the real adapter, with the same hooks and faults.
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly adapter: TableLedgerStore;
  private readonly interceptor: Interceptor<LedgerOps>;

  constructor(records: MemoryIdempotencyStore, calls: CallLog = records.calls) {
    this.adapter = new TableLedgerStore(records.table.asClient(), 1_000);
    this.interceptor = new Interceptor<LedgerOps>('ledger', calls);
  }

  markers(deviceId: string) {
    return this.interceptor.run('markers', [deviceId], () => this.adapter.markers(deviceId));
  }
  claim(deviceId: string, key: string) {
    return this.interceptor.run('claim', [deviceId, key], () => this.adapter.claim(deviceId, key));
  }
  rollupsOf(deviceId: string, days: string[]) {
    return this.interceptor.run('rollupsOf', [deviceId, days], () => this.adapter.rollupsOf(deviceId, days));
  }
  settle(settlement: Settlement) {
    return this.interceptor.run('settle', [settlement], () => this.adapter.settle(settlement));
  }
  rollupRange(deviceId: string, fromDay: string, toDay: string) {
    return this.interceptor.run('rollupRange', [deviceId, fromDay, toDay], () =>
      this.adapter.rollupRange(deviceId, fromDay, toDay),
    );
  }
  fileLog(deviceId: string, from: Date, to: Date) {
    return this.interceptor.run('fileLog', [deviceId, from, to], () =>
      this.adapter.fileLog(deviceId, from, to),
    );
  }

  on<Op extends keyof LedgerOps>(op: Op, fn: Hook<LedgerOps[Op]>): () => void {
    return this.interceptor.on(op, fn);
  }
  once<Op extends keyof LedgerOps>(op: Op, fn: Hook<LedgerOps[Op]>): () => void {
    return this.interceptor.once(op, fn);
  }
  failNext(op: keyof LedgerOps, error?: unknown, options?: { after?: boolean }): void {
    this.interceptor.failNext(op, error, options);
  }
}

/** The confirmation record in memory: every call's entries, in order. */
export class MemoryConfirmationLog implements ConfirmationLog {
  readonly records: Confirmation[][] = [];
  private readonly interceptor: Interceptor<{ record: [confirmations: Confirmation[], at: Date] }>;

  constructor(calls: CallLog = []) {
    this.interceptor = new Interceptor('confirmations', calls);
  }

  record(confirmations: Confirmation[], at: Date): Promise<void> {
    return this.interceptor.run('record', [confirmations, at], () => {
      this.records.push(confirmations.map((c) => ({ ...c })));
    });
  }

  failNext(error?: unknown, options?: { after?: boolean }): void {
    this.interceptor.failNext('record', error, options);
  }

  /** Every blob name listed, as often as it was listed. */
  names(): string[] {
    return this.records.flat().map((c) => c.name);
  }
}
