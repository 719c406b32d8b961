import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256Hex } from '../../shared/hash';
import { EndpointClient } from '../../scripts/ops/backfill/http';
import { DeviceGates } from '../../scripts/ops/backfill/retryPolicy';
import { IdempotencyMode, sendFile } from '../../scripts/ops/backfill/sender';

/**
 * The backfill sender's waits between attempts, recorded through its `wait` hook instead of timed:
 * the real HTTP client against a local server that answers from a script.
 */
describe('backfill retry waits', () => {
  let server: Server;
  let base: URL;
  let script: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const next = script.shift() ?? { status: 500 };
        res
          .writeHead(next.status, { 'content-type': 'application/json', ...next.headers })
          .end(next.body ?? '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const bytes = Buffer.from('{"deviceId":"truck-w"}');
  const file = {
    deviceId: 'truck-w',
    path: 'truck-w/1.json',
    devicePath: '1.json',
    absolutePath: '/dev/null',
  };
  const stored = {
    status: 200,
    body: JSON.stringify({ status: 'stored', blob: 'truck-w/b.json', sha256: sha256Hex(bytes) }),
  };

  /** Gates that record how long each 429 holds the device, and let the next attempt through at once. */
  class RecordingGates extends DeviceGates {
    readonly holds: number[] = [];
    override hold(_deviceId: string, ms: number): void {
      this.holds.push(ms);
    }
    override async pass(): Promise<void> {}
  }

  async function send(
    maxAttempts = 5,
    gates: DeviceGates = new DeviceGates(),
    backoff = { baseMs: 20, capMs: 40 },
  ) {
    const waits: number[] = [];
    const client = new EndpointClient(base, 1);
    try {
      const result = await sendFile(file, bytes, sha256Hex(bytes), 'key', {
        baseUrl: base,
        client,
        timeoutMs: 5_000,
        maxAttempts,
        gzip: false,
        idempotency: IdempotencyMode.Hash,
        backoff,
        gates,
        signal: new AbortController().signal,
        random: () => 0,
        wait: async (ms) => {
          waits.push(ms);
        },
      });
      return { result, waits };
    } finally {
      client.close();
    }
  }

  test('Retry-After is waited for once; the plain 503 after it waits only the backoff', async () => {
    script = [{ status: 503, headers: { 'retry-after': '2' } }, { status: 503 }, stored];
    const { result, waits } = await send();
    expect(result).toMatchObject({ kind: 'acknowledged', status: 'stored' });
    // With no jitter (random 0): half of 20 ms, raised to Retry-After's 2 s; then half of 40 ms.
    expect(waits).toEqual([2000, 20]);
  });

  test('the backoff doubles up to the cap, then the file is left unsent after maxAttempts', async () => {
    script = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    const { result, waits } = await send(4);
    expect(result).toEqual({ kind: 'unsent', reason: '4 attempts failed, the last with 503 http_503' });
    expect(waits).toEqual([10, 20, 20]);
  });

  test('a 429 without Retry-After holds the device for an exponential backoff, not the base delay each time', async () => {
    const limited = { status: 429, body: '{"error":"rate_limited"}' };
    script = [limited, limited, limited, limited, stored];
    const gates = new RecordingGates();
    const { result, waits } = await send(5, gates, { baseMs: 20, capMs: 1000 });
    expect(result).toMatchObject({ kind: 'acknowledged', status: 'stored' });
    // With no jitter (random 0): half of 20, 40, 80, 160 ms; throttling uses no attempt and no wait.
    expect(gates.holds).toEqual([10, 20, 40, 80]);
    expect(waits).toEqual([]);
  });

  test("a 429's Retry-After is what it holds for", async () => {
    script = [{ status: 429, headers: { 'retry-after': '3' }, body: '{"error":"rate_limited"}' }, stored];
    const gates = new RecordingGates();
    await send(5, gates);
    expect(gates.holds).toEqual([3000]);
  });
});
