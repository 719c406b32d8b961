import { RequestError } from './errors';

/**
 * JSON.parse silently keeps the last of duplicate keys, while another reader may keep the first: a
 * payload could then pass validation with one value and be read with another. Deep nesting is legal
 * JSON that recursive readers downstream cannot handle. A `\u` escape of half a UTF-16 surrogate
 * pair without its other half is legal JSON too, but names no character: readers replace it, keep
 * it or fail (I-JSON, RFC 7493 section 2.1, forbids it). All three are refused here, after
 * JSON.parse accepted the text (so the scan can trust its syntax). The body was decoded as strict
 * UTF-8, so a lone surrogate can only arrive as an escape: only strings with escapes pay for the
 * check.
 *
 * Duplicate keys are found by counting rather than by collecting: JSON.parse makes one string per
 * string of the text, keys and values alike, except that a repeated key drops itself and any strings
 * its first value held ("a" and "\u0061" are the same key, since JSON.parse decodes both). So the
 * text has more strings than the parsed value exactly when some object repeats a key. Only then is
 * the text scanned again, collecting keys, to say where (findDuplicateKey). Collecting every key of
 * every object in a Set cost more than JSON.parse itself on a large file.
 *
 * Most bodies hold no backslash, so no escapes: every string in the text is then a `"`, characters
 * other than `"`, and a `"`, and half the text's `"` (indexOf searches natively) is its strings.
 * Depth is then checked on the parsed value, which nests as deep as the text unless a dropped repeat
 * held the deepest part; then the counts differ and the scan of the text refuses the depth first. No
 * escape, no lone surrogate (the body was decoded as strict UTF-8). Only bodies with escapes take the
 * character by character scan, the costliest of these checks on a large file.
 */
export function checkJsonStructure(text: string, parsed: unknown, maxDepth: number): void {
  const noEscapes = text.indexOf('\\') === -1;
  const textStrings = noEscapes ? countQuotes(text) / 2 : scanStrings(text, maxDepth);
  if (textStrings !== countParsedStrings(parsed, maxDepth)) findDuplicateKey(text, maxDepth);
}

/** How many `"` the text holds. */
export function countQuotes(text: string): number {
  let count = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) count++;
  return count;
}

/**
 * Keys and string values in a JSON.parse result (own keys, as Object.keys lists them); throws
 * json_too_deep for containers nested deeper than `maxDepth` (the outermost is depth 1).
 */
export function countParsedStrings(value: unknown, maxDepth: number, depth = 1): number {
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? 1 : 0;
  if (depth > maxDepth) throw tooDeep(maxDepth);
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += countParsedStrings(value[i], maxDepth, depth + 1);
    return count;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++)
    count += 1 + countParsedStrings(record[keys[i]!], maxDepth, depth + 1);
  return count;
}

/**
 * One pass over the text: counts its strings (keys and values), checking nesting depth and surrogate
 * escapes on the way. `onKey` (the slow path only) gets each key's object, numbered in order of its
 * `{`, and the positions of the key's quotes.
 */
function scanStrings(
  text: string,
  maxDepth: number,
  onKey?: (object: number, quote: number, end: number) => void,
): number {
  const n = text.length;
  // One entry per open container: an object's number, or -1 for an array.
  const open: number[] = [];
  let objects = 0;
  let expectKey = false;
  let strings = 0;
  // Strings before the next backslash have no escapes: their end is found with indexOf.
  let nextBackslash = nextIndexOf(text, '\\', 0);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      if (end > nextBackslash) {
        end = escapedStringEnd(text, i);
        nextBackslash = nextIndexOf(text, '\\', end);
      }
      strings++;
      if (expectKey) {
        onKey?.(open[open.length - 1]!, i, end);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      open.push(c === 0x7b ? objects++ : -1);
      expectKey = c === 0x7b;
      if (open.length > maxDepth) throw tooDeep(maxDepth);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1]! >= 0;
    }
  }
  return strings;
}

/** The index of the closing quote of the string opening at `quote`; checks its `\u` escapes. */
function escapedStringEnd(text: string, quote: number): number {
  let end = quote + 1;
  for (; end < text.length; end++) {
    const d = text.charCodeAt(end);
    if (d === 0x5c /* \ */) {
      end++; // the escaped character: never a closing quote
      if (text.charCodeAt(end) === 0x75 /* u */) end = unicodeEscapeEnd(text, end);
    } else if (d === 0x22) break;
  }
  return end;
}

/**
 * The slow path, taken only when a duplicate is known to exist: the same scan, collecting each
 * object's keys to report where the first repeat is.
 */
function findDuplicateKey(text: string, maxDepth: number): never {
  const keysOf = new Map<number, Set<string>>();
  scanStrings(text, maxDepth, (object, quote, end) => {
    // "a" and "\u0061" are the same key.
    const key = JSON.parse(text.slice(quote, end + 1)) as string;
    const keys = keysOf.get(object) ?? new Set<string>();
    if (keys.has(key)) throw duplicateKey(quote);
    keysOf.set(object, keys.add(key));
  });
  // Unreachable for text JSON.parse accepted: the counts differ only when a key repeats.
  throw duplicateKey();
}

function tooDeep(maxDepth: number): RequestError {
  return new RequestError(400, 'json_too_deep', `The body nests deeper than ${maxDepth} levels.`);
}

function duplicateKey(at?: number): RequestError {
  return new RequestError(
    400,
    'duplicate_key',
    'An object in the body repeats a key.',
    at === undefined ? [] : [{ message: `duplicate key at character ${at}` }],
  );
}

function nextIndexOf(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at === -1 ? text.length : at;
}

const HIGH_SURROGATE = 0xd800;
const LOW_SURROGATE = 0xdc00;
const SURROGATE_END = 0xdfff;

/**
 * `u` is the index of the `u` of a `\uXXXX` escape; returns the index of its last hex digit, or of
 * the last hex digit of the low half when it is a correctly paired `\uD8xx\uDCxx`. Throws for a
 * lone surrogate: a high half not followed at once by an escaped low half, or a low half on its own.
 */
function unicodeEscapeEnd(text: string, u: number): number {
  const code = Number.parseInt(text.slice(u + 1, u + 5), 16);
  if (code < HIGH_SURROGATE || code > SURROGATE_END) return u + 4;
  if (
    code < LOW_SURROGATE &&
    text.charCodeAt(u + 5) === 0x5c /* \ */ &&
    text.charCodeAt(u + 6) === 0x75 /* u */
  ) {
    const low = Number.parseInt(text.slice(u + 7, u + 11), 16);
    if (low >= LOW_SURROGATE && low <= SURROGATE_END) return u + 10;
  }
  throw new RequestError(
    400,
    'invalid_unicode',
    'A string in the body escapes a lone UTF-16 surrogate; I-JSON (RFC 7493) forbids it.',
    [{ message: `unpaired surrogate escape at character ${u - 1}` }],
  );
}
