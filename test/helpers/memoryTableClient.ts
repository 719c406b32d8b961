/**
 * An in-memory stand-in for the few TableClient calls the adapters make (getEntity, createEntity,
 * updateEntity, listEntities, submitTransaction), with the service's answers: 409 for a create that
 * finds a row, 404 for a missing row, 412 for a stale ETag, all-or-nothing transactions within one
 * partition. The unit-test doubles run the REAL adapters (shared/storage/table*Store.ts) over it, so
 * the doubles cannot drift from the adapters' entity mapping; test/integration/ledger.contract.test.ts
 * runs the same cases against this and Azurite.
 *
 * Queries accept only what the adapters may send: a partition plus a RowKey range (or no filter at
 * all, for the health probe). Anything else throws, so a unit test catches a query that would scan.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';

type Row = Record<string, unknown> & {
  partitionKey: string;
  rowKey: string;
  etag: string;
  timestamp: string;
};

const KEY_RANGE =
  /^PartitionKey eq '((?:[^']|'')*)' and RowKey ge '((?:[^']|'')*)' and RowKey lt '((?:[^']|'')*)'$/;

export class ServiceError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
  ) {
    super(`${code} (${statusCode})`);
    this.name = 'RestError';
  }
}

export class MemoryTableClient {
  readonly tableName = 'memory';
  /** Every $filter a query sent, in order. */
  readonly filters: Array<string | undefined> = [];
  private rows = new Map<string, Row>();
  private version = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Typed as the SDK's client for the adapters' constructors; only the calls above exist. */
  asClient(): TableClient {
    return this as unknown as TableClient;
  }

  async getEntity<T>(partitionKey: string, rowKey: string): Promise<T> {
    const row = this.rows.get(id(partitionKey, rowKey));
    if (!row) throw new ServiceError(404, 'ResourceNotFound');
    return copy(row) as T;
  }

  async createEntity(entity: Record<string, unknown>): Promise<void> {
    this.commit([['create', entity as never]]);
  }

  async updateEntity(
    entity: Record<string, unknown>,
    mode: 'Merge' | 'Replace' = 'Merge',
    options?: { etag?: string },
  ): Promise<void> {
    this.commit([['update', entity as never, mode, options]]);
  }

  async submitTransaction(actions: TransactionAction[]): Promise<void> {
    const partitions = new Set(actions.map(([, entity]) => entity.partitionKey));
    if (partitions.size !== 1)
      throw new Error('All operations in a transaction must target the same partitionKey');
    if (actions.length > 100) throw new ServiceError(400, 'InvalidInput');
    this.commit(actions);
  }

  listEntities<T>(options?: {
    queryOptions?: { filter?: string };
  }): AsyncIterableIterator<T> & { byPage(): AsyncIterableIterator<T[]> } {
    const filter = options?.queryOptions?.filter;
    this.filters.push(filter);
    const rows = this.select(filter).map((row) => copy(row) as T);
    const iterator = (async function* () {
      yield* rows;
    })();
    return Object.assign(iterator, {
      byPage: () =>
        (async function* () {
          yield rows;
        })(),
    });
  }

  /** Direct access for arranging and inspecting: no checks, no version bump. */
  put(entity: Record<string, unknown> & { partitionKey: string; rowKey: string }): void {
    this.rows.set(id(entity.partitionKey, entity.rowKey), {
      ...entity,
      etag: this.nextEtag(),
      timestamp: this.now().toISOString(),
    });
  }

  delete(partitionKey: string, rowKey: string): boolean {
    return this.rows.delete(id(partitionKey, rowKey));
  }

  all(): Array<Record<string, unknown> & { partitionKey: string; rowKey: string }> {
    return [...this.rows.values()].sort(byKeys).map(copy);
  }

  private select(filter: string | undefined): Row[] {
    const all = [...this.rows.values()].sort(byKeys);
    if (filter === undefined) return all;
    const match = KEY_RANGE.exec(filter);
    if (!match) throw new Error(`MemoryTableClient: not a partition + RowKey range query: ${filter}`);
    const [partitionKey, ge, lt] = match.slice(1).map((s) => s!.replace(/''/g, "'"));
    return all.filter((r) => r.partitionKey === partitionKey && r.rowKey >= ge! && r.rowKey < lt!);
  }

  /** Applies every action to a copy and keeps it only if all succeed: the service's transaction. */
  private commit(actions: TransactionAction[]): void {
    const next = new Map(this.rows);
    for (const action of actions) this.apply(next, action);
    this.rows = next;
  }

  private apply(rows: Map<string, Row>, action: TransactionAction): void {
    const [kind, entity] = action;
    const key = id(entity.partitionKey, entity.rowKey);
    const current = rows.get(key);
    const mode = action[2] ?? 'Merge';
    const etag = (action[3] as { etag?: string } | undefined)?.etag;
    const fields = withoutSystem(entity as Record<string, unknown>);
    if (kind === 'create') {
      if (current) throw new ServiceError(409, 'EntityAlreadyExists');
      rows.set(key, this.stamp(fields));
    } else if (kind === 'delete') {
      if (!current) throw new ServiceError(404, 'ResourceNotFound');
      rows.delete(key);
    } else if (kind === 'update') {
      if (!current) throw new ServiceError(404, 'ResourceNotFound');
      if (etag !== undefined && etag !== '*' && etag !== current.etag)
        throw new ServiceError(412, 'UpdateConditionNotSatisfied');
      rows.set(key, this.stamp(mode === 'Merge' ? { ...withoutSystem(current), ...fields } : fields));
    } else {
      rows.set(
        key,
        this.stamp(mode === 'Merge' && current ? { ...withoutSystem(current), ...fields } : fields),
      );
    }
  }

  private stamp(fields: Record<string, unknown>): Row {
    return { ...(fields as Row), etag: this.nextEtag(), timestamp: this.now().toISOString() };
  }

  private nextEtag(): string {
    return `W/"memory-${++this.version}"`;
  }
}

function id(partitionKey: string, rowKey: string): string {
  return JSON.stringify([partitionKey, rowKey]);
}

function byKeys(a: Row, b: Row): number {
  return a.partitionKey === b.partitionKey
    ? a.rowKey < b.rowKey
      ? -1
      : a.rowKey > b.rowKey
        ? 1
        : 0
    : a.partitionKey < b.partitionKey
      ? -1
      : 1;
}

function withoutSystem(entity: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...entity };
  delete rest.etag;
  delete rest.timestamp;
  // The service drops properties sent as undefined; so must we.
  for (const name of Object.keys(rest)) if (rest[name] === undefined) delete rest[name];
  return rest;
}

function copy<T extends Record<string, unknown>>(row: T): T {
  return { ...row };
}
