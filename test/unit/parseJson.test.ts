import { parseJson } from '../../shared/parseJson';
import { RawBody } from '../../shared/rawBody';

const bytes = (s: string) => new TextEncoder().encode(s);
const body = (s: string) => RawBody.of(bytes(s));

describe('parseJson: what each refusal tells the device', () => {
  test.each<[string, Uint8Array, string, string, Array<{ message: string }>]>([
    ['an empty body', new Uint8Array(0), 'empty_body', 'The body is empty; send one JSON document.', []],
    [
      'invalid UTF-8',
      Uint8Array.from([0x7b, 0xff, 0x7d]),
      'invalid_utf8',
      'The body is not valid UTF-8.',
      [],
    ],
    [
      'a byte-order mark',
      Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      'invalid_json',
      'The body starts with a byte-order mark; send plain UTF-8 JSON.',
      [],
    ],
    [
      'a syntax error V8 places',
      bytes('{"abcdefghij":1,}'),
      'invalid_json',
      'The body is not valid JSON.',
      [{ message: 'syntax error at character 16' }],
    ],
    [
      'a syntax error V8 does not place',
      bytes('{"a":}'),
      'invalid_json',
      'The body is not valid JSON.',
      [{ message: 'unexpected end or token' }],
    ],
  ])('%s -> 400 %s', (_case, input, code, message, details) => {
    expect(() => parseJson(RawBody.of(input))).toThrow(
      expect.objectContaining({ status: 400, code, message, details }),
    );
  });

  test('a byte-order mark is refused even before valid JSON, and one inside a string is data', () => {
    expect(() => parseJson(body('\uFEFF{}'))).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    expect(parseJson(body('{"t":"\uFEFF"}'))).toEqual({ t: '\uFEFF' });
  });

  test("the nesting limit is the caller's", () => {
    expect(parseJson(body('[[1]]'), 2)).toEqual([[1]]);
    expect(() => parseJson(body('[[[1]]]'), 2)).toThrow(expect.objectContaining({ code: 'json_too_deep' }));
  });
});
