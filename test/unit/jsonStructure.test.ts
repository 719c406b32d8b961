import { checkJsonStructure } from '../../shared/jsonStructure';

/**
 * Lone surrogate escapes: legal JSON, but I-JSON (RFC 7493 section 2.1) forbids them and readers
 * disagree on them (replaced with U+FFFD, kept, or refused). The JSON texts below are written as
 * String.raw so that `\u` is what the body carries, not a JavaScript escape.
 */
const check = (text: string) => {
  JSON.parse(text); // the scan runs only on text JSON.parse accepted
  checkJsonStructure(text, 64);
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
