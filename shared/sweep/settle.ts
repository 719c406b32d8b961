/**
 * Turns judged claims into ledger transactions: each file's marker deleted, its file-log row
 * written, its claim marked, and (for stored files) its readings added to the day rollups. A
 * transaction holds at most 100 operations, so files are grouped to fit; each group is all or
 * nothing, which is what makes a file count once however many sweeps race.
 */
import type { Claim } from '../idempotencyRecord';
import { addDays, contributionOf, type DayHours } from '../ledger/dayRollup';
import {
  type FileLogEntry,
  FileState,
  type LedgerStore,
  type Marker,
  type Settlement,
} from '../ledger/types';

/** The service's limit per entity-group transaction. */
const MAX_ACTIONS = 100;
/** Marker delete, file-log insert, claim merge. */
const ACTIONS_PER_FILE = 3;

export interface Judged {
  kind: 'stored' | 'orphaned';
  /** Absent for a claim from before the ledger, adopted by coverage --rebuild. */
  marker?: Marker;
  claim: Claim;
}

interface Planned {
  file: Judged;
  days: DayHours;
  truncated: boolean;
}

/**
 * Settles `files` of one device in as few transactions as fit. Returns the files this call settled;
 * `conflict` when a transaction lost a race (its files are left to a second look).
 */
export async function settleFiles(
  ledger: LedgerStore,
  deviceId: string,
  files: Judged[],
  at: Date,
): Promise<{ settled: Judged[]; conflict: boolean }> {
  const settled: Judged[] = [];
  let conflict = false;
  for (const group of groups(files.map(plan))) {
    if ((await ledger.settle(await settlementOf(ledger, deviceId, group, at))) === 'conflict')
      conflict = true;
    else settled.push(...group.map((item) => item.file));
  }
  return { settled, conflict };
}

function plan(file: Judged): Planned {
  if (file.kind === 'orphaned') return { file, days: new Map(), truncated: false };
  const { days, truncated } = contributionOf(file.claim.summary, file.claim.receivedAt);
  return { file, days, truncated };
}

/** Consecutive runs of files whose operations (3 each, plus one per rollup day) fit one transaction. */
function groups(planned: Planned[]): Planned[][] {
  const out: Planned[][] = [];
  let current: Planned[] = [];
  let days = new Set<string>();
  for (const item of planned) {
    const withItem = new Set([...days, ...item.days.keys()]);
    if (current.length > 0 && (current.length + 1) * ACTIONS_PER_FILE + withItem.size > MAX_ACTIONS) {
      out.push(current);
      current = [];
      days = new Set(item.days.keys());
    } else {
      days = withItem;
    }
    current.push(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function settlementOf(
  ledger: LedgerStore,
  deviceId: string,
  group: Planned[],
  at: Date,
): Promise<Settlement> {
  const added: DayHours = new Map();
  for (const item of group) addDays(added, item.days);
  const current = new Map((await ledger.rollupsOf(deviceId, [...added.keys()])).map((row) => [row.day, row]));
  const rollups = [...added].map(([day, hours]) => {
    const row = current.get(day);
    const total: DayHours = new Map([[day, new Map(row?.hours)]]);
    addDays(total, new Map([[day, hours]]));
    const receivedOn = new Set(row?.receivedOn);
    for (const item of group) if (item.days.has(day)) receivedOn.add(dayOf(item.file.claim.receivedAt));
    return { deviceId, day, hours: total.get(day)!, receivedOn, ...(row?.etag ? { etag: row.etag } : {}) };
  });
  return {
    deviceId,
    files: group.map(({ file, truncated }) => ({
      marker: file.marker,
      claim: file.claim,
      entry: fileLogEntry(file, truncated, at),
    })),
    rollups,
  };
}

/** `yyyyMMdd` of an ISO time (UTC). */
function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10).replace(/-/g, '');
}

function fileLogEntry({ kind, claim }: Judged, truncated: boolean, at: Date): FileLogEntry {
  return {
    deviceId: claim.deviceId,
    key: claim.key,
    receivedAt: claim.receivedAt,
    blobName: claim.blobName,
    sha256: claim.sha256,
    sizeBytes: claim.sizeBytes,
    schemaId: claim.schemaId,
    state: kind === 'stored' ? FileState.Stored : FileState.Orphaned,
    settledAt: at.toISOString(),
    ...(claim.summary ? { summary: claim.summary } : {}),
    ...(truncated ? { rollupDaysTruncated: true } : {}),
  };
}
