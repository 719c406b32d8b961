import { platformSeenAddress } from '../../shared/clientAddress';
import { parseJson } from '../../shared/parseJson';
import { RawBody } from '../../shared/rawBody';
import { checkContentLength, checkContentType, readBodyCapped } from '../../shared/requestBody';

const bytes = (s: string) => new TextEncoder().encode(s);
const body = (s: string) => RawBody.of(bytes(s));

describe('checkContentType', () => {
  test.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
  ])('accepts %j', (value) => expect(() => checkContentType(value)).not.toThrow());
  test.each([null, '', 'text/json', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded'])(
    'refuses %j with 415',
    (value) => {
      expect(() => checkContentType(value)).toThrow(expect.objectContaining({ status: 415 }));
    },
  );
});

describe('checkContentLength', () => {
  test.each([[null], ['0'], ['100']])('accepts %j under the cap', (value) =>
    expect(() => checkContentLength(value, 100)).not.toThrow(),
  );
  test('refuses a declared size over the cap with 413', () => {
    expect(() => checkContentLength('101', 100)).toThrow(
      expect.objectContaining({ status: 413, code: 'payload_too_large' }),
    );
  });
  test.each(['-1', '1e3', 'abc', '1.5'])('refuses %j with 400', (value) => {
    expect(() => checkContentLength(value, 100)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('readBodyCapped', () => {
  async function* chunks(...parts: string[]) {
    for (const part of parts) yield bytes(part);
  }
  test('joins chunks', async () => {
    expect((await readBodyCapped(chunks('ab', 'cd'), 4)).toBuffer().toString()).toBe('abcd');
  });
  test('stops reading as soon as the cap is passed', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield bytes('0123456789');
      }
    }
    await expect(readBodyCapped(endless(), 25)).rejects.toMatchObject({ status: 413 });
    expect(pulled).toBe(3);
  });
  test('a missing body is empty', async () => {
    expect((await readBodyCapped(null, 10)).byteLength).toBe(0);
  });
});

describe('parseJson', () => {
  test('parses UTF-8 JSON', () => {
    expect(parseJson(body('{"t":"°C"}'))).toEqual({ t: '°C' });
  });
  test.each([
    ['empty', new Uint8Array(0), 'empty_body'],
    ['invalid UTF-8', Uint8Array.from([0xff, 0xfe]), 'invalid_utf8'],
    ['BOM', Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 'invalid_json'],
    ['syntax', bytes('{"a":}'), 'invalid_json'],
    ['lone high surrogate escape in a value', bytes(String.raw`{"t":"\ud800"}`), 'invalid_unicode'],
    ['lone low surrogate escape in a key', bytes(String.raw`{"\udc00":1}`), 'invalid_unicode'],
    [
      'UTF-8 encoded surrogate (not an escape)',
      Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
      'invalid_utf8',
    ],
  ])('%s -> 400 %s', (_name, input, code) => {
    expect(() => parseJson(RawBody.of(input))).toThrow(expect.objectContaining({ status: 400, code }));
  });
  test('a correctly paired surrogate escape is one character', () => {
    expect(parseJson(body(String.raw`{"t":"\ud83d\ude00"}`))).toEqual({ t: '😀' });
  });
  test('an escaped backslash before u is not an escape', () => {
    expect(parseJson(body(String.raw`{"t":"\\ud800"}`))).toEqual({ t: String.raw`\ud800` });
  });
  test('syntax errors report a position, never the payload text', () => {
    try {
      parseJson(body('{"secret-value": tru}'));
      throw new Error('should have thrown');
    } catch (err) {
      expect(JSON.stringify(err)).not.toContain('secret');
      expect((err as { details: Array<{ message: string }> }).details[0]!.message).toMatch(
        /character \d+|unexpected/,
      );
    }
  });
  test('__proto__ keys stay plain data', () => {
    const parsed = parseJson(body('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });
});

describe('platformSeenAddress: the hop the platform appended, never what the client wrote', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['10.0.0.1, 203.0.113.7:50123', '203.0.113.7'],
    // A client forging the header only adds hops before the platform's own.
    ['198.51.100.66, 203.0.113.7:50123', '203.0.113.7'],
    ['198.51.100.66,not-an-ip', 'unknown'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
    ['not-an-ip', 'unknown'],
    [null, 'unknown'],
  ])('%j -> %j', (header, ip) => {
    expect(platformSeenAddress(header)).toBe(ip);
  });
});

describe('readBodyCapped: a body stream that breaks off', () => {
  test('is a cut body (incomplete_body, answered 408: retry), neither a 400 nor our 500', async () => {
    async function* brokenOff(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('{"deviceId":');
      throw Object.assign(new TypeError('terminated'), { cause: new Error('other side closed') });
    }
    await expect(readBodyCapped(brokenOff(), 1024)).rejects.toMatchObject({
      name: 'IncompleteBodyError',
      code: 'incomplete_body',
    });
  });
});
