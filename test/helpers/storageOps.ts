import type { ProxiedRequest } from '../support/faults/faultProxy';

/** Recognises each storage call of the write path on the wire, for targeted fault injection. */
const isEntityPath = (r: ProxiedRequest) => /\(PartitionKey=/.test(decodeURIComponent(r.path));
const isBlobPath = (r: ProxiedRequest) =>
  new URL(r.path, 'http://x').pathname.split('/').filter(Boolean).length >= 3;

export const storageOps = {
  tableGet: (r: ProxiedRequest) => r.method === 'GET' && isEntityPath(r),
  /** The claim's insert: an entity-group transaction (claim + ledger marker), POST .../$batch. */
  tableInsert: (r: ProxiedRequest) => r.method === 'POST' && r.path.includes('$batch'),
  tableMerge: (r: ProxiedRequest) => (r.method === 'PATCH' || r.method === 'MERGE') && isEntityPath(r),
  blobPut: (r: ProxiedRequest) => r.method === 'PUT' && isBlobPath(r) && !r.path.includes('comp='),
  blobHead: (r: ProxiedRequest) => r.method === 'HEAD' && isBlobPath(r),
  any: () => true,
} as const;

export type StorageOp = keyof typeof storageOps;
