/**
 * One structured line per request. Only identifiers and sizes: never payload contents, headers or
 * credentials (the key is logged as its short digest).
 */
export interface RequestLogEntry {
  event: string;
  device?: string;
  key?: string;
  outcome: string;
  status: number;
  bytes?: number;
  ms: number;
  error?: string;
}

export function formatRequestLog(entry: RequestLogEntry): string {
  return JSON.stringify({ ...entry, ms: Math.round(entry.ms * 10) / 10 });
}
