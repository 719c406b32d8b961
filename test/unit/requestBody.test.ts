import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { IncompleteBodyError } from '../../shared/errors';
import { gzipSync } from 'node:zlib';
import { RawBody } from '../../shared/rawBody';
import {
  checkContentEncoding,
  checkContentLength,
  checkContentType,
  decodeBody,
  readBodyCapped,
} from '../../shared/requestBody';
import { FakeTimers } from '../helpers/fakeTimers';

const bytes = (s: string) => new TextEncoder().encode(s);

/** A body stream the test feeds chunk by chunk, or breaks, or leaves hanging. */
class Sender {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  cancelled = false;
  readonly stream = new ReadableStream<Uint8Array>({
    start: (controller) => void (this.controller = controller),
    cancel: () => void (this.cancelled = true),
  });
  send(s: string): void {
    this.controller.enqueue(bytes(s));
  }
  end(): void {
    this.controller.close();
  }
  break(): void {
    this.controller.error(new TypeError('terminated'));
  }
}

/** Lets the reader take what was sent (each read is a few microtask turns). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('readBodyCapped: deadlines', () => {
  const timeouts = { idleTimeoutMs: 1_000, totalTimeoutMs: 5_000 };

  test('a body that keeps arriving within both deadlines is read whole; no timer is left behind', async () => {
    const timers = new FakeTimers();
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100, { ...timeouts, timers });
    for (const part of ['{"a"', ':', '1}']) {
      sender.send(part);
      await settle();
      timers.advance(999);
    }
    sender.end();
    expect((await read).toBuffer().toString()).toBe('{"a":1}');
    expect(timers.active).toBe(0);
  });

  test('a body that stalls past the idle deadline: body_timeout, the stream cancelled', async () => {
    const timers = new FakeTimers();
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100, { ...timeouts, timers });
    sender.send('{"a":');
    await settle();
    timers.advance(999);
    await settle();
    expect(sender.cancelled).toBe(false);
    timers.advance(1);
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompleteBodyError);
    expect(err).toMatchObject({
      code: 'body_timeout',
      message: expect.stringContaining('nothing arrived for 1 s'),
    });
    expect(sender.cancelled).toBe(true);
    expect(timers.active).toBe(0);
  });

  test('a body that trickles but takes longer than the total deadline: body_timeout', async () => {
    const timers = new FakeTimers();
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 1_000, { ...timeouts, timers });
    let chunks = 0;
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 20; j++, chunks++) sender.send(' ');
      await settle();
      timers.advance(500);
    }
    await settle();
    timers.advance(499);
    await settle();
    expect(sender.cancelled).toBe(false);
    timers.advance(1);
    await expect(read).rejects.toMatchObject({
      code: 'body_timeout',
      message: expect.stringContaining('longer than 5 s'),
    });
    // One timer, re-armed when it fires: not one per chunk.
    expect(timers.armed).toBeLessThan(chunks / 10);
  });

  test("on the system's timers a stalled body is ended by its deadline (the wait is the deadline itself)", async () => {
    const sender = new Sender();
    const started = performance.now();
    const read = readBodyCapped(sender.stream, 100, { idleTimeoutMs: 40 });
    sender.send('{"a":');
    await expect(read).rejects.toMatchObject({ code: 'body_timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(sender.cancelled).toBe(true);
  });

  test('without deadlines no timer is armed', async () => {
    const timers = new FakeTimers();
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100, { timers });
    sender.send('{}');
    sender.end();
    expect((await read).byteLength).toBe(2);
    expect(timers.armed).toBe(0);
  });
});

describe('readBodyCapped: a cut body', () => {
  test('a stream that breaks off is incomplete_body (retryable), with the cause kept', async () => {
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100);
    sender.send('{"a":');
    sender.break();
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompleteBodyError);
    expect(err).toMatchObject({
      code: 'incomplete_body',
      message: expect.stringContaining('the connection was cut'),
      cause: expect.any(TypeError),
    });
  });

  test('a stream that ends short of its Content-Length was cut', async () => {
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100, { declaredLength: 8 });
    sender.send('{"a":1}');
    sender.end();
    await expect(read).rejects.toMatchObject({ code: 'incomplete_body' });
  });

  test('a body exactly as long as declared is whole', async () => {
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 100, { declaredLength: 7 });
    sender.send('{"a":1}');
    sender.end();
    expect((await read).byteLength).toBe(7);
  });

  test('over the cap is 413 and the stream is cancelled, whatever was declared', async () => {
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 4, { declaredLength: 4 });
    sender.send('abc');
    sender.send('de');
    await expect(read).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(sender.cancelled).toBe(true);
  });

  test('a body exactly at the cap is accepted', async () => {
    const sender = new Sender();
    const read = readBodyCapped(sender.stream, 4);
    sender.send('ab');
    sender.send('cd');
    sender.end();
    expect((await read).toBuffer().toString()).toBe('abcd');
  });
});

describe('readBodyCapped: small chunks coalesced as they arrive', () => {
  test('a body trickled in 1-byte chunks is a few buffers, byte for byte', async () => {
    const text = '{"n":"' + 'x'.repeat(70_000) + '"}';
    async function* oneByteAtATime() {
      for (const byte of bytes(text)) yield Uint8Array.of(byte);
    }
    const body = await readBodyCapped(oneByteAtATime(), 1_000_000);
    expect(body.toBuffer().toString()).toBe(text);
    expect(body.chunks.length).toBeLessThanOrEqual(Math.ceil(text.length / (64 * 1024)));
  });
});

describe('the checks before the body is read', () => {
  test('Content-Length: absent is undefined; digits (spaces around them allowed) are the length', () => {
    expect(checkContentLength(null, 100)).toBeUndefined();
    expect(checkContentLength(undefined, 100)).toBeUndefined();
    expect(checkContentLength(' 12 ', 100)).toBe(12);
    expect(checkContentLength('100', 100)).toBe(100);
  });

  test.each(['-1', '1e3', '', ' ', '12abc', '99999999999999999999'])(
    'Content-Length %j: 400 invalid_content_length',
    (value) => {
      expect(() => checkContentLength(value, 100)).toThrow(
        expect.objectContaining({
          status: 400,
          code: 'invalid_content_length',
          message: expect.stringContaining('non-negative integer'),
        }),
      );
    },
  );

  test('a declared length over the cap is 413 naming the cap', () => {
    expect(() => checkContentLength('101', 100)).toThrow(
      expect.objectContaining({
        status: 413,
        code: 'payload_too_large',
        message: 'The body exceeds the limit of 100 bytes.',
      }),
    );
  });

  test.each([
    ['application/json; foo=bar', 'json'],
    ['application/json;charset=UTF-8', 'json'],
    ['application/json; charset="utf-8"', 'json'],
  ])('Content-Type %j is %s', (header, form) => {
    expect(checkContentType(header)).toBe(form);
  });

  test.each(['application/json; charset=utf-8x', 'application/json; charset=xutf-8', 'text/plain'])(
    'Content-Type %j: 415 naming what came',
    (header) => {
      expect(() => checkContentType(header)).toThrow(
        expect.objectContaining({
          status: 415,
          code: 'unsupported_media_type',
          details: [{ path: 'headers.content-type', message: `got "${header}"` }],
        }),
      );
    },
  );

  test('no Content-Type at all: 415, "missing"', () => {
    expect(() => checkContentType(null)).toThrow(
      expect.objectContaining({ details: [{ path: 'headers.content-type', message: 'missing' }] }),
    );
  });

  test.each([
    [null, 'identity'],
    ['', 'identity'],
    [' Identity ', 'identity'],
    ['gzip', 'gzip'],
    [' X-GZIP ', 'gzip'],
  ] as const)('Content-Encoding %j is %s', (header, encoding) => {
    expect(checkContentEncoding(header)).toBe(encoding);
  });

  test.each(['br', 'deflate', 'gzip, br'])('Content-Encoding %j: 415 naming what came', (header) => {
    expect(() => checkContentEncoding(header)).toThrow(
      expect.objectContaining({
        status: 415,
        code: 'unsupported_content_encoding',
        details: [{ path: 'headers.content-encoding', message: `got "${header}"` }],
      }),
    );
  });
});

describe('decodeBody', () => {
  const file = '{"deviceId":"truck-1","note":"°C"}';

  test('identity: the very same body; gzip: the decompressed bytes', async () => {
    const raw = RawBody.of(Buffer.from(file));
    expect(await decodeBody(raw, 'identity', 10)).toBe(raw);
    expect((await decodeBody(RawBody.of(gzipSync(file)), 'gzip', 100)).toBuffer().toString()).toBe(file);
  });

  test('decompressed past the cap: 413 (a zip bomb costs at most the cap)', async () => {
    await expect(
      decodeBody(RawBody.of(gzipSync(Buffer.alloc(1_000_000))), 'gzip', 1_000),
    ).rejects.toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
  });

  test('not gzip: 400 invalid_gzip', async () => {
    await expect(decodeBody(RawBody.of(Buffer.from(file)), 'gzip', 100)).rejects.toMatchObject({
      status: 400,
      code: 'invalid_gzip',
      message: 'The body is not valid gzip data.',
    });
  });
});
