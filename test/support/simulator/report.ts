/** The end-of-run table (Markdown, so it can be pasted into docs/DELIVERY.md as printed). */
import type { AttemptOutcome } from './gateway';
import type { Verdict } from './verify';

/** What one simulated run measured, before it is formatted. */
export interface RunSummary {
  verdict: Verdict;
  /** Per-request faults applied, `ingress.reset`, `blob.hang`, ...; crash events `event.hostKill`, ... */
  faults: Record<string, number>;
  outcomes: Record<AttemptOutcome, number>;
  hostOutcomes: Record<string, number>;
  requests: number;
  maxBacklog: number;
  maxGatewayBacklog: number;
  maxFileLatencyMs: number;
  durationMs: number;
  drained: boolean;
  workDir: string;
}

export interface ReportContext {
  devices: number;
  gateways: number;
  twinDevices: number;
  entities: number;
  pendingEntries: number;
}

const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');

function group(faults: Record<string, number>, prefix: string): string {
  const parts = Object.entries(faults)
    .filter(([k]) => k.startsWith(`${prefix}.`))
    .map(([k, v]) => `${k.slice(prefix.length + 1)} ${n(v)}`);
  return parts.length ? parts.join(', ') : 'none';
}

export function formatReport(r: RunSummary, ctx: ReportContext): string {
  const v = r.verdict;
  const o = r.outcomes;
  const h = r.hostOutcomes;
  const hostOther = Object.entries(h)
    .filter(([k]) => !['stored', 'duplicate', 'storage_unavailable'].includes(k))
    .map(([k, c]) => `${k} ${n(c)}`);
  const rows: Array<[string, string]> = [
    [
      'devices / gateways',
      `${ctx.devices} / ${ctx.gateways} (${ctx.twinDevices} device(s) sent by two gateways at once, each with its own copy of the buffer)`,
    ],
    ['files produced', `${n(v.filesProduced)} (${n(v.copiesProduced)} copies in gateway buffers)`],
    ['files deleted (acknowledged with 200)', `${n(v.copiesDeleted)} copies`],
    ['blobs stored', n(v.blobsStored)],
    ['200 stored / 200 duplicate answers received', `${n(o.stored)} / ${n(o.duplicate)}`],
    ['requests sent / retries', `${n(r.requests)} / ${n(r.requests - v.copiesProduced)}`],
    [
      'failed attempts seen by gateways',
      `timeout ${n(o.timeout)}, connection refused ${n(o.refused)}, reset ${n(o.reset)}, 503 ${n(o.status503)}, 500 ${n(o.status500)}, 429 ${n(o.status429)}, other 4xx ${n(o.status4xx)}, other ${n(o.statusOther + o.otherError)}`,
    ],
    ['max backlog: all gateways / one gateway', `${n(r.maxBacklog)} / ${n(r.maxGatewayBacklog)} files`],
    ['longest wait of a file for its 200', `${(r.maxFileLatencyMs / 1000).toFixed(1)} s`],
    [
      'host log: stored / duplicate / storage_unavailable / other',
      `${n(h.stored)} / ${n(h.duplicate)} / ${n(h.storage_unavailable)} / ${hostOther.join(', ') || '0'}`,
    ],
    [
      'idempotency entries (left pending after the final sweep)',
      `${n(ctx.entities)} (${n(ctx.pendingEntries)})`,
    ],
    ['faults gateway -> host', group(r.faults, 'ingress')],
    ['faults host -> blob', group(r.faults, 'blob')],
    ['faults host -> table', group(r.faults, 'table')],
    ['crash events', group(r.faults, 'event')],
    ['wall time', `${(r.durationMs / 1000).toFixed(1)} s${r.drained ? '' : ' (NOT DRAINED)'}`],
    [
      'verdict',
      v.ok
        ? 'PASS: every produced file stored exactly once, nothing deleted that is not stored, no blob without a produced file'
        : `FAIL: ${v.violations.length} kind(s) of violation (listed below)`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, val]) => val.length));
  const line = (a: string, b: string) => `| ${a.padEnd(width)} | ${b.padEnd(valueWidth)} |`;
  const out = [line('measure', 'value'), `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`];
  for (const [k, val] of rows) out.push(line(k, val));
  if (!v.ok) out.push('', ...v.violations.map((x) => `- ${x}`));
  return out.join('\n');
}
