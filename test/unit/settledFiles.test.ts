/**
 * The in-process cache of settled files (shared/settledFiles.ts): keyed by (device, key), least
 * recently used out first, holding only what an answer needs.
 */
import type { IdempotencyRecord } from '../../shared/idempotencyRecord';
import { SettledFiles } from '../../shared/settledFiles';

function record(
  deviceId: string,
  key: string,
  overrides: Partial<IdempotencyRecord> = {},
): IdempotencyRecord {
  return {
    deviceId,
    key,
    blobName: `${deviceId}/2026/11/25/081500000Z_${key}.json`,
    sha256: `sha-${deviceId}-${key}`,
    sizeBytes: 100,
    receivedAt: '2026-11-25T08:15:00.000Z',
    schemaId: 'oil-condition-v1',
    state: 'pending',
    ...overrides,
  };
}

const withoutSummary = ({ summary: _summary, ...rest }: IdempotencyRecord) => rest;

describe('SettledFiles', () => {
  test('remembers a file by (device, key) and answers with it; an unknown file is undefined', () => {
    const settled = new SettledFiles();
    const a = record('truck-042', 'batch-1');

    expect(settled.get('truck-042', 'batch-1')).toBeUndefined();
    settled.remember(a);

    expect(settled.get('truck-042', 'batch-1')).toEqual(a);
    expect(settled.get('truck-042', 'batch-2')).toBeUndefined();
    expect(settled.get('truck-043', 'batch-1')).toBeUndefined();
    expect(settled.size).toBe(1);
  });

  test('device and key cannot be confused by where they split', () => {
    const settled = new SettledFiles();
    settled.remember(record('truck-04', '2batch'));

    expect(settled.get('truck-042', 'batch')).toBeUndefined();
    expect(settled.get('truck-04', '2batch')).toBeDefined();
  });

  test('keeps only what an answer needs: the reading summary is dropped', () => {
    const settled = new SettledFiles();
    const a = record('truck-042', 'batch-1', {
      summary: {
        summaryVersion: 1,
        readings: 2,
        firstReadingAt: '2026-11-25T08:10:00.000Z',
        lastReadingAt: '2026-11-25T08:11:00.000Z',
        readingHours: '2026112508:2',
        sentAt: '2026-11-25T08:15:02Z',
        clockOffsetSeconds: 2,
      },
    });

    settled.remember(a);

    const got = settled.get('truck-042', 'batch-1')!;
    expect(got).toEqual(withoutSummary(a));
    expect('summary' in got).toBe(false);
    // The caller's record is left as it was.
    expect(a.summary).toBeDefined();
  });

  test('remembering the same file again replaces it and keeps one entry', () => {
    const settled = new SettledFiles();
    settled.remember(record('truck-042', 'batch-1'));
    settled.remember(record('truck-042', 'batch-1', { state: 'stored' }));

    expect(settled.size).toBe(1);
    expect(settled.get('truck-042', 'batch-1')?.state).toBe('stored');
  });

  test('beyond maxEntries the least recently remembered file goes first', () => {
    const settled = new SettledFiles(2);
    settled.remember(record('d', 'a'));
    settled.remember(record('d', 'b'));
    settled.remember(record('d', 'c'));

    expect(settled.size).toBe(2);
    expect(settled.get('d', 'a')).toBeUndefined();
    expect(settled.get('d', 'b')).toBeDefined();
    expect(settled.get('d', 'c')).toBeDefined();
  });

  test('a get makes a file the most recently used', () => {
    const settled = new SettledFiles(2);
    settled.remember(record('d', 'a'));
    settled.remember(record('d', 'b'));
    expect(settled.get('d', 'a')).toBeDefined();

    settled.remember(record('d', 'c'));

    expect(settled.get('d', 'b')).toBeUndefined();
    expect(settled.get('d', 'a')).toBeDefined();
    expect(settled.get('d', 'c')).toBeDefined();
  });

  test('remembering a known file again makes it the most recently used', () => {
    const settled = new SettledFiles(2);
    settled.remember(record('d', 'a'));
    settled.remember(record('d', 'b'));
    settled.remember(record('d', 'a'));

    settled.remember(record('d', 'c'));

    expect(settled.get('d', 'b')).toBeUndefined();
    expect(settled.get('d', 'a')).toBeDefined();
  });

  test('a miss does not disturb the order', () => {
    const settled = new SettledFiles(2);
    settled.remember(record('d', 'a'));
    settled.remember(record('d', 'b'));
    expect(settled.get('d', 'x')).toBeUndefined();

    settled.remember(record('d', 'c'));

    expect(settled.size).toBe(2);
    expect(settled.get('d', 'a')).toBeUndefined();
  });

  test('the default bound is 10 000 files', () => {
    const settled = new SettledFiles();
    for (let i = 0; i <= 10_000; i++) settled.remember(record('d', `k${i}`));

    expect(settled.size).toBe(10_000);
    expect(settled.get('d', 'k0')).toBeUndefined();
    expect(settled.get('d', 'k1')).toBeDefined();
    expect(settled.get('d', 'k10000')).toBeDefined();
  });
});
