import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '../support/simulator/gateway';
import { type FileEntry, Ledger } from '../support/simulator/ledger';
import { OilConditionSource } from '../support/simulator/payload';
import { Rng } from '../support/simulator/random';
import { type StorageContents, verdict } from '../support/simulator/verify';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The checker must see every kind of violation, or a passing reliability run proves nothing. */
describe('the simulator verdict', () => {
  const produce = (copies = 1): { ledger: Ledger; files: FileEntry[] } => {
    const ledger = new Ledger();
    for (let i = 0; i < 3; i++) {
      const file = ledger.produce('truck-001', sha(`file ${i}`), 100, i, copies);
      file.deleted = copies;
      file.storedAnswers = 1;
      file.duplicateAnswers = copies - 1;
      file.ackedBlobs.add(`truck-001/2026/11/25/00000${i}Z_x.json`);
    }
    return { ledger, files: ledger.all() };
  };
  const storageFor = (files: FileEntry[]): StorageContents => ({
    blobs: files.map((f, i) => ({
      name: `truck-001/2026/11/25/00000${i}Z_x.json`,
      deviceId: f.deviceId,
      sha256: f.sha256,
      sizeBytes: f.sizeBytes,
    })),
    entities: files.map((f, i) => ({
      deviceId: f.deviceId,
      blobName: `truck-001/2026/11/25/00000${i}Z_x.json`,
      sha256: f.sha256,
      state: 'stored',
    })),
  });

  test('passes when every file is stored once and every copy was deleted', () => {
    const { files } = produce(2);
    const result = verdict(files, storageFor(files));
    expect(result).toMatchObject({
      ok: true,
      violations: [],
      filesProduced: 3,
      copiesProduced: 6,
      blobsStored: 3,
    });
  });

  test('a second blob with the same bytes is a duplicate', () => {
    const { files } = produce();
    const storage = storageFor(files);
    storage.blobs.push({ ...storage.blobs[0]!, name: 'truck-001/2026/11/25/999999999Z_y.json' });
    const result = verdict(files, storage);
    expect(result).toMatchObject({ ok: false, duplicated: 1 });
    expect(result.violations.join('\n')).toMatch(/DUPLICATED/);
  });

  test('a deleted file without a blob is lost and a wrong 200', () => {
    const { files } = produce();
    const storage = storageFor(files);
    storage.blobs.pop();
    expect(verdict(files, storage)).toMatchObject({ ok: false, lost: 1, deletedNotStored: 1 });
  });

  test('a blob with bytes nobody produced (e.g. a truncated body) is flagged', () => {
    const { files } = produce();
    const storage = storageFor(files);
    storage.blobs.push({
      name: 'truck-001/x.json',
      deviceId: 'truck-001',
      sha256: sha('{"dev'),
      sizeBytes: 5,
    });
    expect(verdict(files, storage)).toMatchObject({ ok: false, unexpectedBlobs: 1 });
  });

  test('a blob filed under another device does not count for this one', () => {
    const { files } = produce();
    const storage = storageFor(files);
    storage.blobs[1] = { ...storage.blobs[1]!, deviceId: 'truck-002' };
    expect(verdict(files, storage)).toMatchObject({ ok: false, lost: 1, unexpectedBlobs: 1 });
  });

  test('copies still buffered, quarantined files, two "stored" answers and wrong acks are violations', () => {
    const { files } = produce(2);
    files[0]!.deleted = 1;
    files[1]!.deleted = 1;
    files[1]!.quarantined = 1;
    files[2]!.storedAnswers = 2;
    files[2]!.wrongAcks = 1;
    const result = verdict(files, storageFor(files));
    expect(result).toMatchObject({ ok: false, undelivered: 1, quarantined: 1 });
    expect(result.violations.join('\n')).toMatch(/STORED TWICE/);
    expect(result.violations.join('\n')).toMatch(/WRONG ACK/);
  });

  test('an entry still pending after the final sweep is a violation', () => {
    const { files } = produce();
    const storage = storageFor(files);
    storage.entities[1]!.state = 'pending';
    const result = verdict(files, storage);
    expect(result.ok).toBe(false);
    expect(result.pendingEntries).toBe(1);
    expect(result.violations).toEqual([
      'STILL PENDING (after the final sweep): 1: truck-001 truck-001/2026/11/25/000001Z_x.json',
    ]);
  });
});

describe('simulated gateway files and retry policy', () => {
  test('generated files are valid oil-condition-v1 payloads, deterministic per seed, some large', () => {
    const validator = loadGeneratedValidator();
    const make = () =>
      new OilConditionSource('truck-007', new Rng(42), {
        largeFileRate: 0.2,
        normalReadings: [5, 50],
        largeReadings: [1500, 3000],
      });
    const a = make();
    const b = make();
    let large = 0;
    for (let i = 0; i < 30; i++) {
      const file = a.nextFile();
      expect(b.nextFile()).toEqual(file);
      const bytes = Buffer.from(file.json);
      expect(() =>
        validator.validate('oil-condition-v1', JSON.parse(file.json), bytes.byteLength),
      ).not.toThrow();
      const payload = JSON.parse(file.json) as { deviceId: string; readings: unknown[]; sequence: number };
      expect(payload).toMatchObject({ deviceId: 'truck-007', sequence: i });
      if (payload.readings.length >= 1500) large++;
    }
    expect(large).toBeGreaterThan(0);
  });

  test('backoff grows exponentially with jitter, stays under the cap, and honours Retry-After', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-backoff-'));
    const gateway = new Gateway({
      deviceId: 'truck-001',
      name: 'truck-001',
      dir: join(dir, 'buffer'),
      baseUrl: () => 'http://127.0.0.1:1',
      rng: new Rng(1),
      policy: { baseMs: 100, capMs: 2000, maxRetryAfterMs: 10_000, timeoutMs: 3000 },
      ledger: new Ledger(),
    });
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(2000, 100 * 2 ** (attempt - 1));
      const delay = gateway.backoff(attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(gateway.backoff(1, 5000)).toBe(5000);
    expect(gateway.backoff(1, 3_600_000)).toBe(10_000);
    rmSync(dir, { recursive: true, force: true });
  });
});
