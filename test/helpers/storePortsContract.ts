/**
 * The storage ports' contract: one set of cases that the in-memory doubles (memoryStores.ts) and the
 * real Azure adapters on Azurite (shared/storage/) must both pass, so the unit tests, which run on
 * the doubles, prove something about the adapters. test/integration/storePorts.contract.test.ts
 * runs it against each. Expected values are written out here, never read back from the store under
 * test first.
 */
import { createHash } from 'node:crypto';
import type { DeviceKeyRecord, DeviceRegistryAdmin } from '../../shared/auth/deviceRecord';
import { StorageUnavailableError } from '../../shared/errors';
import type { IdempotencyRecord } from '../../shared/idempotencyRecord';
import { RawBody } from '../../shared/rawBody';
import type { IdempotencyStore, RawBlob, RawBlobStore } from '../../shared/storage/types';

export interface StorePorts {
  records: IdempotencyStore;
  blobs: RawBlobStore;
  devices: DeviceRegistryAdmin;
  /** What the blob store holds under a name, read past the port (which only finds the sha256). */
  readBlob(name: string): Promise<{ bytes: Buffer; metadata: Record<string, string> } | undefined>;
}

const DEVICE = 'truck-042';
const T0 = '2026-11-25T08:15:00.000Z';
const BODY = '{"deviceId":"truck-042","readings":[{"timestamp":"2026-11-25T08:10:00Z"}]}';

const md5 = (data: string | Uint8Array) => createHash('md5').update(data).digest();
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function entry(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    deviceId: DEVICE,
    key: 'batch-0001',
    blobName: `${DEVICE}/2026/11/25/081500000Z_0123456789abcdef.json`,
    sha256: sha256(BODY),
    sizeBytes: Buffer.byteLength(BODY),
    receivedAt: T0,
    schemaId: 'oil-condition-v1',
    state: 'pending',
    ...overrides,
  };
}

/** The reading summary the ingest path writes with an entry (see shared/readingSummary.ts). */
const SUMMARY: Required<NonNullable<IdempotencyRecord['summary']>> = {
  summaryVersion: 1,
  readings: 3,
  firstReadingAt: '2026-11-25T07:10:00.000Z',
  lastReadingAt: '2026-11-25T08:10:00.000Z',
  readingHours: '2026112507:2,2026112508:1',
  sentAt: '2026-11-25T08:14:58Z',
  readingHoursTruncated: false,
  clockOffsetSeconds: -2,
};

function blob(name: string, body: string | Uint8Array[], metadata: Record<string, string> = {}): RawBlob {
  const raw = typeof body === 'string' ? RawBody.of(Buffer.from(body)) : RawBody.fromChunks(body);
  return {
    name,
    body: raw,
    contentMD5: raw.digest('md5'),
    metadata: { sha256: sha256(raw.toBuffer()), ...metadata },
  };
}

function keyRecord(keyId: string, overrides: Partial<DeviceKeyRecord> = {}): DeviceKeyRecord {
  return { keyId, hash: sha256(keyId), createdAt: T0, ...overrides };
}

/**
 * A claim as `get` reads it, without its version (ETag) and write time, which only the store
 * assigns: what is left must be exactly what was written.
 */
async function claimIn(records: StorePorts['records'], deviceId: string, key: string) {
  const claim = await records.get(deviceId, key);
  if (!claim) return claim;
  const { etag, updatedAt, ...record } = claim;
  expect({ etag: typeof etag, updatedAt: Number.isNaN(Date.parse(updatedAt)) }).toEqual({
    etag: 'string',
    updatedAt: false,
  });
  return record;
}

export function storePortsContract(fresh: () => Promise<StorePorts>): void {
  describe('IdempotencyStore', () => {
    it('get finds nothing before an insert', async () => {
      const { records } = await fresh();
      expect(await claimIn(records, DEVICE, 'batch-0001')).toBeUndefined();
    });

    it('insert answers `inserted`, and get reads every field back', async () => {
      const { records } = await fresh();
      expect(await records.insert(entry({ sizeBytes: 10 * 1024 * 1024 }))).toBe('inserted');
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry({ sizeBytes: 10 * 1024 * 1024 }));
    });

    it('the reading summary written with an entry is read back with it (a blob repaired by a resend carries it)', async () => {
      const { records } = await fresh();
      await records.insert(entry({ summary: SUMMARY }));
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry({ summary: SUMMARY }));
    });

    it('a second insert of the same (device, key) answers `exists` and changes nothing', async () => {
      const { records } = await fresh();
      await records.insert(entry());
      expect(await records.insert(entry({ blobName: 'other.json', sha256: sha256('other') }))).toBe('exists');
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry());
    });

    it('the same key from two devices is two entries', async () => {
      const { records } = await fresh();
      expect(await records.insert(entry())).toBe('inserted');
      expect(await records.insert(entry({ deviceId: 'truck-0420', blobName: 'b.json' }))).toBe('inserted');
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry());
      expect(await claimIn(records, 'truck-0420', 'batch-0001')).toEqual(
        entry({ deviceId: 'truck-0420', blobName: 'b.json' }),
      );
    });

    it('keys with characters a RowKey forbids are kept exactly and never collide', async () => {
      const { records } = await fresh();
      // Keys are printable ASCII (idempotencyKey.ts). "a/b" and "a~2fb" would be one RowKey if the
      // escape character were not escaped too.
      const keys = ['a/b', 'a~2fb', 'q?#\\', 'it\'s 100% "x"', ' spaced ', '~'];
      for (const key of keys)
        expect(await records.insert(entry({ key, blobName: `${keys.indexOf(key)}.json` }))).toBe('inserted');
      for (const key of keys)
        expect(await claimIn(records, DEVICE, key)).toEqual(
          entry({ key, blobName: `${keys.indexOf(key)}.json` }),
        );
    });

    it('what insert was given and get returned are copies: changing them changes nothing stored', async () => {
      const { records } = await fresh();
      const given = entry();
      await records.insert(given);
      given.blobName = 'mutated';
      const read = (await records.get(DEVICE, 'batch-0001'))!;
      read.sha256 = 'mutated';
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry());
    });

    it('markStored sets `stored` and nothing else, whatever else the record it is given says', async () => {
      const { records } = await fresh();
      await records.insert(entry());
      await records.markStored(entry({ blobName: 'ignored.json', sha256: sha256('ignored'), sizeBytes: 1 }));
      expect(await claimIn(records, DEVICE, 'batch-0001')).toEqual(entry({ state: 'stored' }));
    });

    it('markStored of an entry that is gone fails as StorageUnavailableError and creates nothing', async () => {
      const { records } = await fresh();
      await expect(records.markStored(entry())).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(await claimIn(records, DEVICE, 'batch-0001')).toBeUndefined();
    });

    it('ping answers', async () => {
      const { records } = await fresh();
      await expect(records.ping()).resolves.toBeUndefined();
    });
  });

  describe('RawBlobStore', () => {
    const NAME = `${DEVICE}/2026/11/25/081500000Z_0123456789abcdef.json`;

    it('find finds nothing before a write', async () => {
      const { blobs, readBlob } = await fresh();
      expect(await blobs.find(NAME)).toBeUndefined();
      expect(await readBlob(NAME)).toBeUndefined();
    });

    it('createIfAbsent answers `created` and stores the bytes and metadata exactly; find gives the sha256', async () => {
      const { blobs, readBlob } = await fresh();
      // The metadata the ingest path writes: URI-encoded key, the reading summary's fields.
      const metadata = {
        deviceid: DEVICE,
        receivedat: T0,
        idempotencykey: encodeURIComponent('batch 7/"night"'),
        sizebytes: String(Buffer.byteLength(BODY)),
        readings: '3',
        firstreadingat: SUMMARY.firstReadingAt,
        clockoffsetseconds: '-2',
      };
      expect(await blobs.createIfAbsent(blob(NAME, BODY, metadata))).toBe('created');
      expect(await readBlob(NAME)).toEqual({
        bytes: Buffer.from(BODY),
        metadata: { sha256: sha256(BODY), ...metadata },
      });
      expect(await blobs.find(NAME)).toEqual({ sha256: sha256(BODY) });
    });

    it('a body in many chunks is stored as the bytes joined in order', async () => {
      const { blobs, readBlob } = await fresh();
      const chunks = [BODY.slice(0, 7), BODY.slice(7, 8), BODY.slice(8)].map((part) => Buffer.from(part));
      expect(await blobs.createIfAbsent(blob(NAME, chunks))).toBe('created');
      expect((await readBlob(NAME))?.bytes).toEqual(Buffer.from(BODY));
    });

    it('a second write under the name answers `exists` and leaves the first bytes', async () => {
      const { blobs, readBlob } = await fresh();
      await blobs.createIfAbsent(blob(NAME, BODY));
      expect(await blobs.createIfAbsent(blob(NAME, '{"other":true}'))).toBe('exists');
      expect(await readBlob(NAME)).toEqual({ bytes: Buffer.from(BODY), metadata: { sha256: sha256(BODY) } });
    });

    it('a Content-MD5 that does not match the body is refused as StorageUnavailableError; nothing is stored', async () => {
      const { blobs, readBlob } = await fresh();
      const damaged = { ...blob(NAME, BODY), contentMD5: md5('other bytes') };
      await expect(blobs.createIfAbsent(damaged)).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(await blobs.find(NAME)).toBeUndefined();
      expect(await readBlob(NAME)).toBeUndefined();
    });

    it('find of a blob without sha256 metadata gives an empty sha256', async () => {
      const { blobs } = await fresh();
      const bare = { ...blob(NAME, BODY), metadata: { deviceid: DEVICE } };
      await blobs.createIfAbsent(bare);
      expect(await blobs.find(NAME)).toEqual({ sha256: '' });
    });
  });

  describe('DeviceRegistry', () => {
    const device = (deviceId: string, model = 'oil-condition-v1') => ({ deviceId, model, createdAt: T0 });

    it('get finds no unknown device', async () => {
      const { devices } = await fresh();
      expect(await devices.get(DEVICE)).toBeUndefined();
      expect(await devices.list()).toEqual([]);
    });

    it('create then get: the device with its first key, every field as written', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE), keyRecord('0000000a', { label: 'gateway 7' }));
      expect(await devices.get(DEVICE)).toEqual({
        deviceId: DEVICE,
        model: 'oil-condition-v1',
        disabled: false,
        createdAt: T0,
        keys: [{ keyId: '0000000a', hash: sha256('0000000a'), createdAt: T0, label: 'gateway 7' }],
      });
    });

    it('an empty model reads back as none (the device map decides)', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE, ''), keyRecord('0000000a'));
      expect((await devices.get(DEVICE))?.model).toBeUndefined();
    });

    it('create refuses an id that exists and leaves the device as it was', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE), keyRecord('0000000a'));
      await expect(devices.create(device(DEVICE, 'default'), keyRecord('0000000b'))).rejects.toThrow(
        `Device "${DEVICE}" already exists.`,
      );
      expect(await devices.get(DEVICE)).toMatchObject({
        model: 'oil-condition-v1',
        keys: [{ keyId: '0000000a' }],
      });
    });

    it('keys are added, expired, touched and removed one by one, and read in key id order', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE), keyRecord('0000000b'));
      await devices.addKey(DEVICE, keyRecord('0000000a', { label: 'spare' }));
      await devices.expireKey(DEVICE, '0000000b', '2026-12-01T00:00:00.000Z');
      await devices.touchKey(DEVICE, '0000000a', new Date('2026-11-26T09:30:00Z'));

      expect((await devices.get(DEVICE))?.keys).toEqual([
        { ...keyRecord('0000000a', { label: 'spare' }), lastUsedAt: '2026-11-26T09:30:00.000Z' },
        { ...keyRecord('0000000b'), expiresAt: '2026-12-01T00:00:00.000Z' },
      ]);

      await devices.removeKey(DEVICE, '0000000b');
      expect((await devices.get(DEVICE))?.keys.map((k) => k.keyId)).toEqual(['0000000a']);
    });

    it('a key id taken, or a key that is not there, is refused', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE), keyRecord('0000000a'));
      await expect(devices.addKey(DEVICE, keyRecord('0000000a', { label: 'again' }))).rejects.toThrow();
      await expect(devices.expireKey(DEVICE, '0000000f', T0)).rejects.toThrow();
      await expect(devices.removeKey(DEVICE, '0000000f')).rejects.toThrow();
      // touchKey is on the request path: its failure is a storage failure like any other.
      await expect(devices.touchKey(DEVICE, '0000000f', new Date(T0))).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      expect((await devices.get(DEVICE))?.keys).toEqual([keyRecord('0000000a')]);
    });

    it('setDisabled turns a device off and on, and refuses an unknown device', async () => {
      const { devices } = await fresh();
      await devices.create(device(DEVICE), keyRecord('0000000a'));
      await devices.setDisabled(DEVICE, true);
      expect((await devices.get(DEVICE))?.disabled).toBe(true);
      await devices.setDisabled(DEVICE, false);
      expect((await devices.get(DEVICE))?.disabled).toBe(false);
      await expect(devices.setDisabled('truck-999', true)).rejects.toThrow(
        'Device "truck-999" does not exist.',
      );
      expect(await devices.get('truck-999')).toBeUndefined();
    });

    it('list gives every device by id, each with only its own keys; remove takes a device and its keys', async () => {
      const { devices } = await fresh();
      // Ids that share a prefix: one partition each, no prefix match.
      for (const [id, keyId] of [
        ['truck-2', '00000002'],
        ['truck-10', '00000010'],
        ['truck-1', '00000001'],
      ])
        await devices.create(device(id!), keyRecord(keyId!));

      expect((await devices.list()).map((d) => [d.deviceId, d.keys.map((k) => k.keyId)])).toEqual([
        ['truck-1', ['00000001']],
        ['truck-10', ['00000010']],
        ['truck-2', ['00000002']],
      ]);

      await devices.remove('truck-10');
      expect(await devices.get('truck-10')).toBeUndefined();
      expect((await devices.list()).map((d) => d.deviceId)).toEqual(['truck-1', 'truck-2']);
      await expect(devices.remove('truck-10')).rejects.toThrow('Device "truck-10" does not exist.');
    });

    it('a key without its device row is no device', async () => {
      const { devices } = await fresh();
      await devices.addKey(DEVICE, keyRecord('0000000a'));
      expect(await devices.get(DEVICE)).toBeUndefined();
      expect(await devices.list()).toEqual([]);
    });
  });
}
