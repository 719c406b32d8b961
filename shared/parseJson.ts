import { RequestError } from './errors';
import { checkJsonStructure } from './jsonStructure';
import type { RawBody } from './rawBody';

/**
 * Parses the body for validation only; the stored blob is the body's bytes as received (after gzip
 * decoding when it travelled compressed), never a re-serialisation.
 * Invalid UTF-8 and a byte-order mark are refused (RFC 8259 forbids emitting one) so the stored
 * bytes are exactly what a vendor's JSON parser reads; so are duplicate keys, deep nesting and lone
 * surrogate escapes, on which readers disagree (checkJsonStructure).
 */
export function parseJson(body: RawBody, maxDepth = 64): unknown {
  if (body.byteLength === 0) {
    throw new RequestError(400, 'empty_body', 'The body is empty; send one JSON document.');
  }
  let text: string;
  try {
    text = body.text();
  } catch {
    throw new RequestError(400, 'invalid_utf8', 'The body is not valid UTF-8.');
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new RequestError(
      400,
      'invalid_json',
      'The body starts with a byte-order mark; send plain UTF-8 JSON.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's messages can quote a slice of the payload; error bodies carry only the position.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    const where =
      position === undefined ? 'unexpected end or token' : `syntax error at character ${position}`;
    throw new RequestError(400, 'invalid_json', 'The body is not valid JSON.', [{ message: where }]);
  }
  checkJsonStructure(text, value, maxDepth);
  return value;
}
