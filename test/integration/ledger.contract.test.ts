/**
 * One contract, two tables: the claim and ledger adapters (shared/storage/tableIdempotencyStore.ts,
 * tableLedgerStore.ts) over Azurite and over the in-memory table the unit tests use
 * (test/helpers/memoryTableClient.ts). The same cases run against both, so the unit tests' double
 * answers as the service does: conditional writes, all-or-nothing transactions, key ranges, and
 * every property (the reading summary included) read back as written.
 */
import { TableClient } from '@azure/data-tables';
import { type Claim, type IdempotencyRecord, RecordState } from '../../shared/idempotencyRecord';
import { shortKey } from '../../shared/idempotencyKey';
import { fileRowKey } from '../../shared/ledger/rowKeys';
import { type FileLogEntry, FileState, type Settlement } from '../../shared/ledger/types';
import { TableIdempotencyStore } from '../../shared/storage/tableIdempotencyStore';
import { TableLedgerStore } from '../../shared/storage/tableLedgerStore';
import { azuriteConnectionString, describeWithAzurite, uniqueStorageNames } from '../helpers/azurite';
import { MemoryTableClient } from '../helpers/memoryTableClient';

const DEVICE = 'truck-042';
const T0 = '2026-11-25T08:15:00.000Z';

function record(key: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    deviceId: DEVICE,
    key,
    blobName: `${DEVICE}/2026/11/25/081500000Z_${shortKey(key)}.json`,
    sha256: 'a'.repeat(64),
    sizeBytes: 321,
    receivedAt: T0,
    schemaId: 'oil-condition-v1',
    state: RecordState.Pending,
    summary: {
      summaryVersion: 1,
      readings: 2,
      firstReadingAt: '2026-11-25T08:10:00.000Z',
      lastReadingAt: '2026-11-25T08:11:00.000Z',
      readingHours: '2026112508:2',
      sentAt: '2026-11-25T08:15:02Z',
      clockOffsetSeconds: 2,
    },
    ...overrides,
  };
}

function entryOf(claim: Claim, state: FileLogEntry['state']): FileLogEntry {
  const { deviceId, key, receivedAt, blobName, sha256, sizeBytes, schemaId, summary } = claim;
  return {
    deviceId,
    key,
    receivedAt,
    blobName,
    sha256,
    sizeBytes,
    schemaId,
    state,
    settledAt: '2026-11-25T08:20:00.000Z',
    ...(summary ? { summary } : {}),
  };
}

const without = ({ etag: _e, updatedAt: _u, ...rest }: Claim) => rest;

type Tables = { name: string; table: () => Promise<TableClient> };

const tables: Tables[] = [
  { name: 'in memory', table: async () => new MemoryTableClient().asClient() },
  {
    name: 'Azurite',
    table: async () => {
      const client = TableClient.fromConnectionString(
        azuriteConnectionString(),
        uniqueStorageNames().idempotencyTable,
        {
          allowInsecureConnection: true,
        },
      );
      await client.createTable();
      return client;
    },
  },
];

function contract({ name, table }: Tables) {
  describe(`the claim and ledger adapters: ${name}`, () => {
    let records: TableIdempotencyStore;
    let ledger: TableLedgerStore;
    beforeEach(async () => {
      const client = await table();
      records = new TableIdempotencyStore(client, 10_000);
      ledger = new TableLedgerStore(client, 10_000);
    });

    test('insert writes the claim and its marker once; a second insert is `exists` and changes nothing', async () => {
      expect(await records.insert(record('k1'))).toBe('inserted');
      expect(await records.insert(record('k1', { sha256: 'b'.repeat(64) }))).toBe('exists');

      const claim = (await records.get(DEVICE, 'k1'))!;
      expect(without(claim)).toEqual(record('k1'));
      expect(claim.etag).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(claim.updatedAt))).toBe(false);
      expect(await ledger.markers(DEVICE)).toEqual([
        {
          deviceId: DEVICE,
          rowKey: expect.stringMatching(/^~~p~20261125T081500000Z~/),
          etag: expect.any(String),
          key: 'k1',
          receivedAt: T0,
        },
      ]);
    });

    test('a key with quotes, slashes and spaces round-trips; an absent key reads as undefined', async () => {
      const key = `it's/a "key" #1`;
      await records.insert(record(key));
      expect((await records.get(DEVICE, key))?.key).toBe(key);
      expect(await records.get(DEVICE, 'absent')).toBeUndefined();
    });

    test('markStored merges the state only; on a missing claim it is a storage failure', async () => {
      await records.insert(record('k1'));
      await records.markStored(record('k1', { sha256: 'ignored' }));
      expect(without((await records.get(DEVICE, 'k1'))!)).toEqual(
        record('k1', { state: RecordState.Stored }),
      );
      await expect(records.markStored(record('absent'))).rejects.toMatchObject({
        code: 'storage_unavailable',
      });
    });

    test('rewrite replaces the whole claim if it is the version read, else `conflict` and nothing changes', async () => {
      await records.insert(record('k1'));
      const claim = (await records.get(DEVICE, 'k1'))!;
      const next = record('k1', { sha256: 'c'.repeat(64), summary: { summaryVersion: 1, readings: 0 } });

      expect(await records.rewrite(claim, next)).toBe('updated');
      expect(await records.rewrite(claim, record('k1', { sha256: 'd'.repeat(64) }))).toBe('conflict');
      // Replace, not merge: the old summary's hours are gone.
      expect(without((await records.get(DEVICE, 'k1'))!)).toEqual(next);
    });

    test('reclaim: the claim takes the new receipt, a new marker appears, the orphan row says `replaced`; stale: nothing', async () => {
      await records.insert(record('k1'));
      const [marker] = await ledger.markers(DEVICE);
      const pending = (await records.get(DEVICE, 'k1'))!;
      await ledger.settle({
        deviceId: DEVICE,
        files: [{ marker: marker!, claim: pending, entry: entryOf(pending, FileState.Orphaned) }],
        rollups: [],
      });
      const orphan = (await records.get(DEVICE, 'k1'))!;
      expect(orphan.state).toBe(RecordState.Orphaned);
      const next = record('k1', {
        receivedAt: '2026-12-25T10:00:00.000Z',
        blobName: 'truck-042/2026/12/25/x.json',
      });

      expect(await records.reclaim(pending, next)).toBe('conflict');
      expect(await ledger.markers(DEVICE)).toEqual([]);
      expect(await records.reclaim(orphan, next)).toBe('updated');

      expect(without((await records.get(DEVICE, 'k1'))!)).toEqual(next);
      expect((await ledger.markers(DEVICE)).map((m) => m.receivedAt)).toEqual(['2026-12-25T10:00:00.000Z']);
      const log = await ledger.fileLog(
        DEVICE,
        new Date('2026-11-25T00:00:00Z'),
        new Date('2026-11-26T00:00:00Z'),
      );
      expect(log.map((f) => f.state)).toEqual([FileState.Replaced]);
    });

    test('settle is all or nothing: a second settlement of the same files, or a stale rollup, is `conflict` and writes nothing', async () => {
      await records.insert(record('k1'));
      await records.insert(record('k2', { receivedAt: '2026-11-25T08:16:00.000Z' }));
      const markers = await ledger.markers(DEVICE);
      const claims = await Promise.all(markers.map((m) => records.get(DEVICE, m.key)));
      const settlement = (day: string, etag?: string): Settlement => ({
        deviceId: DEVICE,
        files: markers.map((marker, i) => ({
          marker,
          claim: claims[i]!,
          entry: entryOf(claims[i]!, FileState.Stored),
        })),
        rollups: [
          {
            deviceId: DEVICE,
            day,
            hours: new Map([[8, { readings: 4, files: 2, untimed: 0 }]]),
            receivedOn: new Set(['20261125', '20261209']),
            ...(etag ? { etag } : {}),
          },
        ],
      });

      expect(await ledger.settle(settlement('20261125'))).toBe('settled');
      expect(await ledger.settle(settlement('20261126'))).toBe('conflict');

      expect(await ledger.markers(DEVICE)).toEqual([]);
      expect(await records.get(DEVICE, 'k1')).toMatchObject({
        state: RecordState.Stored,
        confirmedAt: '2026-11-25T08:20:00.000Z',
      });
      const files = await ledger.fileLog(DEVICE, new Date(T0), new Date('2026-11-25T08:16:00.000Z'));
      expect(files).toEqual([entryOf(claims[0]!, FileState.Stored)]);
      const rollups = await ledger.rollupRange(DEVICE, '20261101', '20261130');
      expect(rollups.map(({ etag: _e, ...r }) => r)).toEqual([
        {
          deviceId: DEVICE,
          day: '20261125',
          hours: new Map([[8, { readings: 4, files: 2, untimed: 0 }]]),
          receivedOn: new Set(['20261125', '20261209']),
        },
      ]);
      expect(await ledger.rollupRange(DEVICE, '20261126', '20261231')).toEqual([]);

      // A rollup written meanwhile (another sweep) fails a settlement that read the old version.
      await records.insert(record('k3'));
      const [m3] = await ledger.markers(DEVICE);
      const c3 = (await records.get(DEVICE, 'k3'))!;
      const stale = {
        deviceId: DEVICE,
        day: '20261125',
        hours: new Map(),
        receivedOn: new Set<string>(),
        etag: 'W/"datetime\'2000-01-01T00%3A00%3A00Z\'"',
      };
      expect(
        await ledger.settle({
          deviceId: DEVICE,
          files: [{ marker: m3!, claim: c3, entry: entryOf(c3, FileState.Stored) }],
          rollups: [stale],
        }),
      ).toBe('conflict');
      expect(await ledger.markers(DEVICE)).toHaveLength(1);
      const [current] = await ledger.rollupsOf(DEVICE, ['20261125', '20261124']);
      expect(current?.hours.get(8)).toEqual({ readings: 4, files: 2, untimed: 0 });
    });

    test('orphaning is conditional on the claim read: a claim changed meanwhile is not orphaned', async () => {
      await records.insert(record('k1'));
      const [marker] = await ledger.markers(DEVICE);
      const read = (await records.get(DEVICE, 'k1'))!;
      await records.rewrite(read, record('k1', { sha256: 'e'.repeat(64) }));

      const outcome = await ledger.settle({
        deviceId: DEVICE,
        files: [{ marker: marker!, claim: read, entry: entryOf(read, FileState.Orphaned) }],
        rollups: [],
      });

      expect(outcome).toBe('conflict');
      expect((await records.get(DEVICE, 'k1'))?.state).toBe(RecordState.Pending);
      expect(fileRowKey(T0, shortKey('k1'))).toMatch(/^~~f~/);
      expect(await ledger.fileLog(DEVICE, new Date(T0), new Date('2026-11-26T00:00:00Z'))).toEqual([]);
    });
  });
}

contract(tables[0]!);
describeWithAzurite('Azurite', () => contract(tables[1]!));
