/**
 * What the sweep makes of one marker (shared/sweep/judge.ts), over a ledger that holds one claim (or
 * none) and a blob store that counts its lookups.
 */
import { type Claim, RecordState } from '../../shared/idempotencyRecord';
import type { LedgerStore, Marker } from '../../shared/ledger/types';
import { judge } from '../../shared/sweep/judge';

const NOW = new Date('2026-11-25T14:15:00.000Z');
const HOUR = 3_600_000;
const marker: Marker = {
  deviceId: 'truck-042',
  rowKey: '~~p~20261125T081500000Z~abc',
  etag: 'e',
  key: 'k',
  receivedAt: '2026-11-25T08:15:00.000Z',
};

function claim(state: Claim['state'], updatedAt = marker.receivedAt): Claim {
  return {
    deviceId: marker.deviceId,
    key: marker.key,
    blobName: 'truck-042/2026/11/25/k.json',
    sha256: 'aa',
    sizeBytes: 10,
    receivedAt: marker.receivedAt,
    schemaId: 'oil-condition-v1',
    state,
    etag: 'c',
    updatedAt,
  };
}

/** The ledger port reduced to the one read judge makes; the blob store with what it holds. */
function context(stored: Claim | undefined, blob?: { sha256: string }) {
  const finds: string[] = [];
  const ledger = { claim: async () => stored } as unknown as LedgerStore;
  const blobs = {
    find: async (name: string) => {
      finds.push(name);
      return blob && { ...blob, name };
    },
  };
  return { finds, ctx: { ledger, blobs: blobs as never, now: NOW, orphanAfterMs: 6 * HOUR } };
}

describe('judge', () => {
  test.each([
    ['no claim at all', undefined],
    ['an orphaned claim', claim(RecordState.Orphaned)],
  ])('a marker with %s is damage, reported, and no blob is looked up', async (_what, stored) => {
    const { finds, ctx } = context(stored, { sha256: 'aa' });
    expect(await judge(marker, ctx)).toEqual({
      kind: 'problem',
      marker,
      problem: 'marker ~~p~20261125T081500000Z~abc has no pending claim',
    });
    expect(finds).toEqual([]);
  });

  test('a claim a resend already confirmed is stored without a blob lookup', async () => {
    const stored = claim(RecordState.Stored);
    const { finds, ctx } = context(stored);
    expect(await judge(marker, ctx)).toEqual({ kind: 'stored', marker, claim: stored });
    expect(finds).toEqual([]);
  });

  test('a pending claim: stored when its blob holds its bytes, a problem when other bytes', async () => {
    const pending = claim(RecordState.Pending);
    const same = context(pending, { sha256: 'aa' });
    expect(await judge(marker, same.ctx)).toEqual({ kind: 'stored', marker, claim: pending });
    expect(same.finds).toEqual([pending.blobName]);
    const other = context(pending, { sha256: 'bb' });
    expect(await judge(marker, other.ctx)).toEqual({
      kind: 'problem',
      marker,
      problem: `${pending.blobName} holds other bytes than its claim`,
    });
  });

  test('a pending claim without a blob: pending until orphanAfterMs after its last claim, orphaned from then on', async () => {
    const justUnder = claim(RecordState.Pending, new Date(NOW.getTime() - 6 * HOUR + 1).toISOString());
    expect(await judge(marker, context(justUnder).ctx)).toEqual({ kind: 'pending', marker });
    const exactly = claim(RecordState.Pending, new Date(NOW.getTime() - 6 * HOUR).toISOString());
    expect(await judge(marker, context(exactly).ctx)).toEqual({ kind: 'orphaned', marker, claim: exactly });
  });
});
