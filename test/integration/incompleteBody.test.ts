import { connect } from 'node:net';
import { ChaosFault, ChaosProxy } from '../support/faults/faultProxy';
import { describeWithAzurite } from '../helpers/azurite';
import { type ServedApp, serveOverHttp } from '../helpers/devHostApp';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

/** What came back on a raw connection: the status line, headers and body, or nothing at all. */
interface RawAnswer {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

/**
 * Sends the request head and `sent` bytes of a body declared `declared` bytes long, then either
 * half-closes the connection (the body is cut, the answer can still come back) or leaves it open
 * (the body stalls), and reads whatever the server answers.
 */
function partialUpload(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  how: 'cut' | 'stall',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', text = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const answer: RawAnswer = { headers: {} };
      answer.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]) || undefined;
      for (const line of lines) {
        const at = line.indexOf(':');
        answer.headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      if (text) answer.body = JSON.parse(text) as Record<string, unknown>;
      resolve(answer);
    });
    const head = Object.entries({ host: 'localhost', 'content-length': String(body.byteLength), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(body.subarray(0, Math.floor(body.byteLength / 2)));
    if (how === 'cut') socket.end();
  });
}

describeWithAzurite('a body that does not arrive whole, through the dev host', () => {
  let app: TestApp;
  let served: ServedApp;
  beforeAll(async () => {
    // A short stall deadline, so the stalled test waits one second and no more.
    app = await createTestApp({ BODY_IDLE_TIMEOUT_SECONDS: '1', RETRY_AFTER_SECONDS: '9' });
    served = await serveOverHttp(app);
  });
  afterAll(() => served.close());

  const upload = async (deviceId: string, how: 'cut' | 'stall') => {
    const key = await app.keyFor(deviceId);
    return partialUpload(
      served.port,
      `/api/ingest/${deviceId}`,
      { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      Buffer.from(oilPayload(deviceId)),
      how,
    );
  };

  test('cut mid-stream: 408 incomplete_body with Retry-After and Connection: close, never a 400; nothing written', async () => {
    const before = await app.inspector.counts();
    const answer = await upload('truck-cut1', 'cut');
    expect(answer).toEqual({
      status: 408,
      headers: expect.objectContaining({ connection: 'close', 'retry-after': '9' }),
      body: { error: 'incomplete_body', message: expect.stringContaining('send it again'), details: [] },
    });
    expect(await app.inspector.counts()).toEqual(before);
  });

  test('stalled past BODY_IDLE_TIMEOUT_SECONDS: 408 body_timeout, nothing written', async () => {
    const before = await app.inspector.counts();
    const answer = await upload('truck-stall1', 'stall');
    expect(answer).toEqual({
      status: 408,
      headers: expect.objectContaining({ connection: 'close', 'retry-after': '9' }),
      body: {
        error: 'body_timeout',
        message: expect.stringContaining('nothing arrived for 1 s'),
        details: [],
      },
    });
    expect(await app.inspector.counts()).toEqual(before);
    // The same file sent whole afterwards is stored as usual.
    expect((await app.post('truck-stall1', oilPayload('truck-stall1'))).status).toBe(200);
  });

  test('cut by a proxy that drops both connections: the gateway sees a broken connection, we log 408, nothing written', async () => {
    const proxy = new ChaosProxy({ host: '127.0.0.1', port: served.port });
    proxy.add({ match: () => true, fault: ChaosFault.TruncateBody });
    const proxyPort = await proxy.listen();
    try {
      const before = await app.inspector.counts();
      const key = await app.keyFor('truck-cut2');
      const sent = fetch(`http://127.0.0.1:${proxyPort}/api/ingest/truck-cut2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: oilPayload('truck-cut2', { note: 'x'.repeat(50_000) }),
      });
      await expect(sent).rejects.toThrow();
      const line = await served.logLine(/"device":"truck-cut2".*"status":408/);
      expect(JSON.parse(line.replace(/^\[ingest\] \w+: /, ''))).toMatchObject({
        outcome: 'incomplete_body',
        status: 408,
      });
      expect(await app.inspector.counts()).toEqual(before);
    } finally {
      await proxy.close();
    }
  });
});
