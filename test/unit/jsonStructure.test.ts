import fc from 'fast-check';
import { checkJsonStructure, countParsedStrings, countQuotes } from '../../shared/jsonStructure';
import { propertyRuns } from '../helpers/propertyRuns';

/**
 * Lone surrogate escapes: legal JSON, but I-JSON (RFC 7493 section 2.1) forbids them and readers
 * disagree on them (replaced with U+FFFD, kept, or refused). The JSON texts below are written as
 * String.raw so that `\u` is what the body carries, not a JavaScript escape.
 */
const check = (text: string) => {
  // The scan runs only on text JSON.parse accepted, with what it made of it.
  checkJsonStructure(text, JSON.parse(text), 64);
};
const refused = expect.objectContaining({ status: 400, code: 'invalid_unicode' });

describe('checkJsonStructure: surrogate escapes', () => {
  test.each([
    ['a paired escape in a value', String.raw`{"t":"\ud83d\ude00"}`],
    ['a paired escape in a key', String.raw`{"\ud83d\ude00":1}`],
    ['upper-case hex', String.raw`{"t":"\uD83D\uDE00"}`],
    ['a pair between other text', String.raw`{"t":"a\ud83d\ude00b\u00e9"}`],
    ['two pairs in a row', String.raw`["\ud83d\ude00\udbff\udfff"]`],
    ['the raw character', '{"t":"😀"}'],
    ['BMP escapes around the surrogate range', String.raw`["\ud7ff","\ue000","\uffff","\u0000"]`],
    ['an escaped backslash before u (no escape)', String.raw`{"t":"\\ud800"}`],
    ['an escaped backslash before u in a key', String.raw`{"\\udc00":1}`],
    ['three backslashes: one escaped backslash, then a paired escape', String.raw`["\\\ud83d\ude00"]`],
    ['other escapes next to a pair', String.raw`["\n\ud83d\ude00\""]`],
    ['the lowest pair', String.raw`["\ud800\udc00"]`],
  ])('accepts %s', (_name, text) => {
    expect(() => check(text)).not.toThrow();
  });

  test.each([
    ['a lone high surrogate in a value', String.raw`{"t":"\ud800"}`],
    ['a lone low surrogate in a value', String.raw`{"t":"\udc00"}`],
    ['a lone high surrogate in a key', String.raw`{"\ud800":1}`],
    ['a lone low surrogate in a key', String.raw`{"\udfff":1}`],
    ['upper-case hex', String.raw`["\uDBFF"]`],
    ['a high surrogate at the end of a string', String.raw`["abc\ud83d"]`],
    ['a high surrogate followed by text', String.raw`["\ud83dx"]`],
    ['a high surrogate followed by another escape', String.raw`["\ud83d\n"]`],
    ['a high surrogate followed by a BMP escape', String.raw`["\ud83d\u0041"]`],
    ['two high surrogates', String.raw`["\ud83d\ud83d"]`],
    ['a pair in the wrong order', String.raw`["\ude00\ud83d"]`],
    ['a high escape before the raw character (whose own halves are paired)', '["\\ud83d😀"]'],
    ['a low surrogate after a pair', String.raw`["\ud83d\ude00\ude00"]`],
    ['an escaped backslash, then a lone surrogate', String.raw`["\\\ud800"]`],
    ['deep inside', String.raw`{"a":[1,{"b":["ok","\udc00"]}]}`],
    ['two low surrogates', String.raw`["\udc00\udc00"]`],
    ['a high surrogate before another escape and hex digits', String.raw`["\ud800\ndc00"]`],
    ['a low surrogate before "x" and a u-escape-like text', String.raw`["\udc00xudc00"]`],
    ['a high surrogate before "x" and a u-escape-like text', String.raw`["\ud800xudc00"]`],
    ['a high surrogate before an escape just past the low range', String.raw`["\ud800\ue000"]`],
  ])('refuses %s with 400 invalid_unicode', (_name, text) => {
    expect(() => check(text)).toThrow(refused);
  });

  test('the error says where, never what', () => {
    const text = String.raw`{"secret":"\ud800"}`;
    try {
      check(text);
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toMatchObject({
        code: 'invalid_unicode',
        message: 'A string in the body escapes a lone UTF-16 surrogate; I-JSON (RFC 7493) forbids it.',
        details: [{ message: `unpaired surrogate escape at character ${text.indexOf('\\')}` }],
      });
      expect(JSON.stringify(err)).not.toContain('secret');
    }
  });

  test('duplicate keys are still found through paired escapes', () => {
    expect(() => check(String.raw`{"😀":1,"\ud83d\ude00":2}`)).toThrow(
      expect.objectContaining({ code: 'duplicate_key' }),
    );
  });
});

describe('checkJsonStructure: duplicate keys and depth', () => {
  const duplicate = expect.objectContaining({ status: 400, code: 'duplicate_key' });

  test.each([
    ['top level', '{"deviceId":"a","deviceId":"b"}', 16],
    ['nested in an array', '{"r":[{"t":1},{"t":1,"v":2,"t":2}]}', 27],
    ['an escaped spelling of the same key', String.raw`{"ab":1,"\u0061b":2}`, 8],
    ['integer-like keys (ordered first by JSON.parse)', '{"b":0,"1":1,"1":2}', 13],
    ['__proto__ twice', '{"__proto__":{},"__proto__":1}', 16],
    ['the empty key', '{"":1,"":2}', 6],
    ['a key equal to an earlier value', '{"a":"b","b":1,"a":2}', 15],
  ])('refuses %s and says where the repeat is', (_name, text, at) => {
    expect(() => check(text)).toThrow(duplicate);
    expect(() => check(text)).toThrow(
      expect.objectContaining({ details: [{ message: `duplicate key at character ${at}` }] }),
    );
  });

  test.each([
    ['the same key in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same key at different depths', '{"a":{"a":{"a":1}}}'],
    ['keys that differ by a space or case', '{"a":1,"a ":2,"A":3}'],
    ['a value that looks like a key', '{"a":"\\"a\\":1","b":{"c":"}"}}'],
    ['escaped quotes and backslashes in keys', String.raw`{"a\"":1,"a\\":2,"a":3}`],
  ])('accepts %s', (_name, text) => {
    expect(() => check(text)).not.toThrow();
  });

  const tooDeep = expect.objectContaining({ status: 400, code: 'json_too_deep' });

  test.each([
    ['without escapes', ''],
    ['with an escape somewhere', '"\\n"'],
  ])('depth %s: 64 levels pass, 65 are refused', (_name, escape) => {
    const arrays = (n: number) => '['.repeat(n) + escape + ']'.repeat(n);
    expect(() => check(arrays(64))).not.toThrow();
    expect(() => check(arrays(65))).toThrow(tooDeep);
    expect(() => check('{"a":'.repeat(64) + (escape || '1') + '}'.repeat(64))).not.toThrow();
    expect(() => check('{"a":'.repeat(65) + (escape || '1') + '}'.repeat(65))).toThrow(tooDeep);
  });

  test.each([
    ['without escapes', '"x"'],
    ['with an escape', '"\\u0078"'],
  ])('a repeated key whose first value held the deepest part is refused for its depth, %s', (_n, value) => {
    const deep = '['.repeat(65) + value + ']'.repeat(65);
    expect(() => check(`{"a":${deep},"a":1}`)).toThrow(tooDeep);
  });

  test.each([
    ['a repeat whose first value holds no string', '{"a":1,"b":[2,3],"a":4}', 17],
    ['a repeat whose first value holds strings', '{"a":["x","y"],"a":"z"}', 15],
    ['a repeat deep in an array, no escapes anywhere', '[[{"k":"v"}],[{"k":"v","k":"v"}]]', 23],
    // Strings in arrays are not keys: repeated array elements before the repeat do not mislead the search.
    ['a repeat after an array that repeats its elements', '{"l":["x","y","y"],"k":1,"k":2}', 25],
    ['a repeat after arrays that start with the same string', '{"l":[["x"],["x"]],"k":1,"k":2}', 25],
  ])('without escapes: %s is found, and where', (_name, text, at) => {
    expect(text).not.toContain('\\');
    expect(() => check(text)).toThrow(
      expect.objectContaining({
        code: 'duplicate_key',
        details: [{ message: `duplicate key at character ${at}` }],
      }),
    );
  });

  // Random documents: the verdict is "duplicate" exactly when one was planted, wherever it sits and
  // however its key is spelled.
  test('property: a planted duplicate is always found, and nothing else is refused', () => {
    // Whole characters only: a lone surrogate is refused for its own reason.
    const key = fc.string({ unit: 'grapheme', maxLength: 6 });
    const doc = fc.dictionary(key, fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }), {
      minKeys: 1,
      maxKeys: 6,
    });
    fc.assert(
      fc.property(doc, fc.boolean(), fc.boolean(), fc.nat(3), (object, plant, escapeAll, depth) => {
        const first = Object.keys(object)[0]!;
        const spelled = escapeAll
          ? // every UTF-16 code unit as \uXXXX, so an astral character becomes a paired escape
            `"${Array.from({ length: first.length }, (_, i) => `\\u${first.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
          : JSON.stringify(first);
        const inner = JSON.stringify(object);
        const body = plant ? `{${spelled}:null,${inner.slice(1)}` : inner;
        const text = '[{"x":'.repeat(depth) + body + '}]'.repeat(depth);
        if (plant) expect(() => check(text)).toThrow(duplicate);
        else expect(() => check(text)).not.toThrow();
      }),
      { numRuns: 2_000, seed: 20261127 },
    );
  });
});

describe('the counts the check compares', () => {
  test.each([
    ['', 0],
    ['"', 1],
    ['""', 2],
    ['{"a":"b"}', 4],
    ['[1,2]', 0],
  ])('countQuotes(%j) = %d', (text, count) => expect(countQuotes(text)).toBe(count));

  test.each([
    ['a string', 'x', 1],
    ['a number, null, true', [1, null, true], 0],
    ['keys and string values', { a: 'x', b: 1, c: ['y', { d: 'z' }] }, 7],
    ['an empty object and array', { a: {}, b: [] }, 2],
  ])('countParsedStrings: %s', (_name, value, count) => expect(countParsedStrings(value, 64)).toBe(count));

  test('counts own keys only, never inherited ones', () => {
    const withInherited = Object.create({ inherited: 'x' }) as Record<string, unknown>;
    withInherited.own = 'y';
    expect(countParsedStrings(withInherited, 64)).toBe(2);
  });

  test('the outermost container is depth 1: maxDepth containers pass, one more is refused', () => {
    expect(countParsedStrings([['a']], 2)).toBe(1);
    expect(() => countParsedStrings([[['a']]], 2)).toThrow(
      expect.objectContaining({ code: 'json_too_deep', message: 'The body nests deeper than 2 levels.' }),
    );
    expect(countParsedStrings({ a: { b: 'c' } }, 2)).toBe(3);
    expect(() => countParsedStrings({ a: { b: {} } }, 2)).toThrow(
      expect.objectContaining({ code: 'json_too_deep' }),
    );
    expect(countParsedStrings('scalar', 0)).toBe(1);
  });
});

describe('checkJsonStructure: what else a document may be', () => {
  test.each([
    ['a string', '"abc"'],
    ['a string with escapes', String.raw`"a\"b\u00e9"`],
    ['a string opening with an escaped quote', String.raw`"\"a"`],
    ['a number', '12'],
    ['an array of strings', '["a","b"]'],
  ])('%s at the top level', (_name, text) => {
    expect(() => check(text)).not.toThrow();
  });

  test('the refusals say what is wrong', () => {
    expect(() => checkJsonStructure('[[1]]', [[1]], 1)).toThrow(
      expect.objectContaining({
        code: 'json_too_deep',
        message: 'The body nests deeper than 1 levels.',
        details: [],
      }),
    );
    expect(() => check('{"a":1,"a":2}')).toThrow(
      expect.objectContaining({ code: 'duplicate_key', message: 'An object in the body repeats a key.' }),
    );
  });
});

describe('checkJsonStructure: counting strings on generated documents', () => {
  test('a document without repeated keys passes, escapes and all (both counting paths)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        checkJsonStructure(text, JSON.parse(text), 64);
      }),
      { numRuns: propertyRuns(5_000) },
    );
  });

  test('a repeated key is refused whatever the values hold (both counting paths)', () => {
    const first = fc.constantFrom('', String.raw`"x\n":1,`, '"x":"y",');
    fc.assert(
      fc.property(
        first,
        fc.string(),
        fc.jsonValue({ maxDepth: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
        (f, k, a, b) => {
          const key = JSON.stringify(k);
          const text = `{${f}${key}:${JSON.stringify(a)},${key}:${JSON.stringify(b)}}`;
          expect(() => checkJsonStructure(text, JSON.parse(text), 64)).toThrow(/repeats a key/);
        },
      ),
      { numRuns: propertyRuns(5_000) },
    );
  });
});
