/**
 * What the sweep makes of one unsettled claim: its blob is there (stored), it is not and the claim
 * is old enough to be given up (orphaned), or not yet (pending). Reads only: a claim, and one blob
 * HEAD unless a resend already saw the blob.
 */
import { type Claim, RecordState } from '../idempotencyRecord';
import type { LedgerStore, Marker } from '../ledger/types';
import type { RawBlobStore } from '../storage/types';

export type Verdict =
  | { kind: 'stored' | 'orphaned'; marker: Marker; claim: Claim }
  | { kind: 'pending'; marker: Marker }
  | { kind: 'problem'; marker: Marker; problem: string };

export interface JudgeContext {
  ledger: LedgerStore;
  blobs: Pick<RawBlobStore, 'find'>;
  now: Date;
  orphanAfterMs: number;
}

export async function judge(
  marker: Marker,
  { ledger, blobs, now, orphanAfterMs }: JudgeContext,
): Promise<Verdict> {
  const claim = await ledger.claim(marker.deviceId, marker.key);
  if (!claim || claim.state === RecordState.Orphaned) {
    // A marker is written and deleted in the same transactions as its claim changes: this is damage.
    return { kind: 'problem', marker, problem: `marker ${marker.rowKey} has no pending claim` };
  }
  if (claim.state === RecordState.Stored) return { kind: 'stored', marker, claim };
  const blob = await blobs.find(claim.blobName);
  if (blob?.sha256 === claim.sha256) return { kind: 'stored', marker, claim };
  if (blob) return { kind: 'problem', marker, problem: `${claim.blobName} holds other bytes than its claim` };
  return now.getTime() - Date.parse(claim.updatedAt) >= orphanAfterMs
    ? { kind: 'orphaned', marker, claim }
    : { kind: 'pending', marker };
}
