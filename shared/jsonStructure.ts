import { RequestError } from './errors';

/**
 * JSON.parse silently keeps the last of duplicate keys, while another reader may keep the first: a
 * payload could then pass validation with one value and be read with another. Deep nesting is legal
 * JSON that recursive readers downstream cannot handle. Both are refused here, in one linear scan of
 * text that JSON.parse has already accepted (so the scan can trust its syntax).
 */
export function checkJsonStructure(text: string, maxDepth: number): void {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      let escaped = false;
      for (; end < text.length; end++) {
        const d = text.charCodeAt(end);
        if (d === 0x5c /* \ */) {
          escaped = true;
          end++;
        } else if (d === 0x22) break;
      }
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        // "a" and "\u0061" are the same key.
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (keys.has(key)) {
          throw new RequestError(400, 'duplicate_key', 'An object in the body repeats a key.', [
            { message: `duplicate key at character ${i}` },
          ]);
        }
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      open.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
      if (open.length > maxDepth) {
        throw new RequestError(400, 'json_too_deep', `The body nests deeper than ${maxDepth} levels.`);
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
}
