import { blobNameFor, blobNamer } from '../../shared/blobName';

describe('blobNameFor', () => {
  test.each([
    ['2026-11-25T17:09:56.123Z', 'truck-042/2026/11/25/170956123Z_0123456789abcdef.json'],
    ['2026-01-02T00:00:00.000Z', 'truck-042/2026/01/02/000000000Z_0123456789abcdef.json'],
    ['2026-12-31T23:59:59.999Z', 'truck-042/2026/12/31/235959999Z_0123456789abcdef.json'],
  ])('%s -> %s (UTC, zero-padded)', (iso, expected) => {
    expect(blobNameFor('truck-042', new Date(iso), '0123456789abcdef')).toBe(expected);
  });

  test('uses UTC even when the process runs in another time zone', () => {
    // Date#toISOString is always UTC; a local-time formatter would put this on 2026-11-26.
    expect(blobNameFor('d', new Date('2026-11-25T23:30:00+00:00'), 'k')).toBe(
      'd/2026/11/25/233000000Z_k.json',
    );
  });
});

describe('blobNamer: smoke-test devices under _smoke/', () => {
  const at = new Date('2026-11-25T17:09:56.123Z');
  test.each([
    [['smoke-*'], 'smoke-1', '_smoke/smoke-1/2026/11/25/170956123Z_k.json'],
    [['smoke-*'], 'smoke-', '_smoke/smoke-/2026/11/25/170956123Z_k.json'],
    [['smoke-*'], 'truck-042', 'truck-042/2026/11/25/170956123Z_k.json'],
    [['smoke-*'], 'smokey', 'smokey/2026/11/25/170956123Z_k.json'],
    [['probe-7', 'smoke-*'], 'probe-7', '_smoke/probe-7/2026/11/25/170956123Z_k.json'],
    [['probe-7'], 'probe-77', 'probe-77/2026/11/25/170956123Z_k.json'],
    [[], 'smoke-1', 'smoke-1/2026/11/25/170956123Z_k.json'],
  ])('%j: %s -> %s', (patterns, deviceId, expected) => {
    expect(blobNamer(patterns)(deviceId, at, 'k')).toBe(expected);
  });
});
