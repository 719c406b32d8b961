/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and splits the samples of a time window into categories
 * of where the time went. The bundle's frames (dist/main.js) are mapped back to their sources through
 * its source map. A sample whose own frame is generic (node core: sockets, streams, buffers; anonymous
 * builtins) is charged to its nearest caller that has a category, so Buffer.concat under the body
 * reader or a pipe write under console.log land where they belong; with no such caller (the HTTP
 * parser called from native code) it stays "node core".
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const Category = {
  JsonParse: 'JSON.parse (with UTF-8 decode)',
  Scan: 'duplicate-key/depth scan (shared/jsonStructure.ts)',
  Validation: 'validation (shared/generated, shared/validation: the date-time check)',
  Summary: 'reading summary (shared/readingSummary.ts, timestampMs.ts, the pointer walk)',
  Hashing: 'hashing (sha256 + md5)',
  Logging: 'logging (request log line, console)',
  Core: 'rest of the ingest core (shared/, functions/)',
  AzureSdk: 'Azure SDK (node_modules/@azure and the other libraries)',
  DevHost: 'dev host (scripts/dev, @azure/functions, undici, web streams)',
  NodeCore: 'node core not charged to a caller (socket writes, HTTP parser, timers, promise jobs)',
  Program: 'V8 and native code outside JS (program)',
  Gc: 'GC',
  Idle: 'idle',
  Other: 'other',
} as const;
export type Category = (typeof Category)[keyof typeof Category];

/** Categories a sample may be passed up from, to its nearest categorised caller. */
const GENERIC = new Set<Category>([Category.NodeCore, Category.Other]);

/**
 * The request log line end to end: formatting it, the function library's and the dev host's log
 * handlers, console.log (V8's `consoleCall`) and what console does to write it.
 */
function isLogging(source: string, functionName: string): boolean {
  if (source.includes('shared/requestLog') || source.startsWith('node:internal/console/')) return true;
  if (functionName === 'consoleCall') return true;
  const handler = source.includes('scripts/dev/devHost') || source.includes('@azure/functions');
  // The dev host's log handler, and the batch it writes to stdout once per event-loop turn.
  return handler && /(^|\.)(log|info|warn|error|debug|trace|flush|batchedStdout)$/.test(functionName);
}

/** The category of one frame, from its (source-mapped) file and function name. */
export function categoryOf(source: string, functionName: string): Category {
  if (functionName === '(idle)') return Category.Idle;
  if (functionName === '(garbage collector)') return Category.Gc;
  if (functionName === '(program)' || functionName === '(root)') return Category.Program;
  const s = source.replace(/\\/g, '/');
  if (s.includes('shared/jsonStructure')) return Category.Scan;
  if (s.includes('shared/parseJson') || s === 'node:internal/encoding') return Category.JsonParse;
  // The body's chunks are decoded and hashed where they are kept (shared/rawBody.ts).
  if (s.includes('shared/rawBody') && /(^|\.)text$/.test(functionName)) return Category.JsonParse;
  if (s.includes('shared/rawBody') && /(^|\.)digest$/.test(functionName)) return Category.Hashing;
  // The summary reads its timestamps (timestampMs) where the profile's pointer walk finds them.
  if (
    s.includes('shared/readingSummary') ||
    s.includes('shared/timestampMs') ||
    (s.includes('shared/validation/modelProfile') && /(^|\.)(forEachValueAt|walk)$/.test(functionName))
  )
    return Category.Summary;
  // The generated validators call the date-time check (shared/validation/) and ajv's runtime helpers.
  if (
    s.includes('shared/generated/') ||
    s.includes('shared/validation/') ||
    /node_modules\/ajv(-formats)?\//.test(s)
  )
    return Category.Validation;
  // node:internal/crypto stays generic: the SDK's request signing (HMAC) is the SDK's, not ours.
  if (s.includes('shared/hash')) return Category.Hashing;
  if (isLogging(s, functionName)) return Category.Logging;
  if (
    s.includes('@azure/functions') ||
    s.includes('scripts/dev/') ||
    s.includes('undici') ||
    s.startsWith('node:internal/webstreams/')
  )
    return Category.DevHost;
  if (s.includes('node_modules/')) return Category.AzureSdk;
  if (s.includes('shared/') || s.includes('functions/')) return Category.Core;
  if (s.startsWith('node:')) return Category.NodeCore;
  return Category.Other;
}

/** Maps frames of files that have a source map (the bundle) to their original source. */
export class SourceResolver {
  private readonly maps = new Map<string, SourceMap | null>();

  constructor(private readonly mappedFiles: Record<string, string>) {}

  resolve(frame: CallFrame): string {
    if (!frame.url.startsWith('file://')) return frame.url;
    const file = fileURLToPath(frame.url);
    const mapFile = this.mappedFiles[file];
    if (!mapFile) return file;
    let map = this.maps.get(file);
    if (map === undefined) {
      map = new SourceMap(
        JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
      );
      this.maps.set(file, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
      { originalSource?: string } | undefined;
    return entry?.originalSource ?? file;
  }
}

export interface Breakdown {
  /** Microseconds per category within the window. */
  micros: Map<Category, number>;
  windowMicros: number;
}

/** Self time per category of the samples taken between `from` and `to` (profile clock, µs). */
export function breakdown(
  profile: CpuProfile,
  from: number,
  to: number,
  resolve: (f: CallFrame) => string,
): Breakdown {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const charged = new Map<number, Category>();
  const categoryOfNode = (id: number): Category => {
    const known = charged.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    let category = categoryOf(resolve(node.callFrame), node.callFrame.functionName);
    if (GENERIC.has(category)) {
      for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
        const caller = byId.get(up)!;
        const above = categoryOf(resolve(caller.callFrame), caller.callFrame.functionName);
        if (!GENERIC.has(above) && above !== Category.Program) {
          category = above;
          break;
        }
      }
    }
    charged.set(id, category);
    return category;
  };

  const micros = new Map<Category, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const span = profile.timeDeltas[i + 1] ?? 0;
    if (at < from || at > to) continue;
    const category = categoryOfNode(profile.samples[i]!);
    micros.set(category, (micros.get(category) ?? 0) + span);
  }
  return { micros, windowMicros: to - from };
}
