import { RawBody } from '../../shared/rawBody';
import { BlobRawStore } from '../../shared/storage/blobRawStore';
import { ChaosFault as FaultKind, ChaosProxy } from '../support/faults/faultProxy';
import { azuritePorts, connectionStringVia, describeWithAzurite } from '../helpers/azurite';
import { storageOps, type StorageOp } from '../helpers/storageOps';
import { createTestApp, oilPayload, type TestApp } from '../helpers/testApp';

/**
 * Faults injected between the real SDK clients and Azurite, at every step of the write path. The
 * device's view: a faulted request gets 503 + Retry-After (never a false 200), and its retry converges
 * to a 200 with exactly one blob holding the exact bytes.
 */
describeWithAzurite('storage faults at every step, then the device retries', () => {
  let blobProxy: ChaosProxy;
  let tableProxy: ChaosProxy;
  let app: TestApp;
  let device = 0;

  beforeAll(async () => {
    const { blobPort, tablePort } = azuritePorts();
    blobProxy = new ChaosProxy({ host: '127.0.0.1', port: blobPort });
    tableProxy = new ChaosProxy({ host: '127.0.0.1', port: tablePort });
    const via = connectionStringVia(await blobProxy.listen(), await tableProxy.listen());
    app = await createTestApp({ STORAGE_TIMEOUT_MS: '1500', RETRY_AFTER_SECONDS: '7' }, via);
  });
  afterEach(() => {
    blobProxy.clear();
    tableProxy.clear();
  });
  afterAll(async () => {
    await blobProxy.close();
    await tableProxy.close();
  });

  const inject = (op: StorageOp, fault: FaultKind) =>
    (op.startsWith('blob') ? blobProxy : tableProxy).add({ match: storageOps[op], fault });

  async function expectExactlyOneBlob(deviceId: string, body: string): Promise<string> {
    const names = await app.inspector.blobNames(`${deviceId}/`);
    expect(names).toHaveLength(1);
    expect((await app.inspector.blob(names[0]!)).bytes.toString()).toBe(body);
    expect(await app.inspector.entities(deviceId)).toHaveLength(1);
    return names[0]!;
  }

  const faults = [FaultKind.Status503, FaultKind.Hang, FaultKind.Reset, FaultKind.DropResponse];
  // A new file's two writes; the entry is read only when the insert conflicts (below).
  const firstPassSteps: StorageOp[] = ['tableInsert', 'blobPut'];

  describe.each(firstPassSteps)('%s', (op) => {
    test.each(faults)('%s: 503 with Retry-After, then the retry gets 200 and one blob', async (fault) => {
      const deviceId = `truck-f${device++}`;
      const body = oilPayload(deviceId);
      inject(op, fault);
      const failed = await app.post(deviceId, body);
      expect(failed.status).toBe(503);
      expect(failed.headers['retry-after']).toBe('7');
      expect(failed.body).toEqual({ error: 'storage_unavailable', message: expect.any(String), details: [] });
      // Storage messages (URLs, account names) never reach the device.
      expect(JSON.stringify(failed.body)).not.toMatch(/127\.0\.0\.1|devstoreaccount1/);

      blobProxy.clear();
      tableProxy.clear();
      const retried = await app.post(deviceId, body);
      expect(retried.status).toBe(200);
      expect(await expectExactlyOneBlob(deviceId, body)).toBe(retried.body.blob);
      // Only a put whose answer was lost leaves the blob written before the retry.
      expect(retried.body.status).toBe(
        op === 'blobPut' && fault === FaultKind.DropResponse ? 'duplicate' : 'stored',
      );
    });
  });

  test.each(['tableGet', 'blobHead', 'blobPut'] as const)(
    'a resend that meets a fault at %s while repairing a missing blob gets 503, the next one 200',
    async (op) => {
      const deviceId = `truck-f${device++}`;
      const body = oilPayload(deviceId);
      inject('blobPut', FaultKind.Status503);
      expect((await app.post(deviceId, body)).status).toBe(503); // entry pending, blob missing
      expect(await app.inspector.blobNames(`${deviceId}/`)).toEqual([]);

      blobProxy.clear();
      inject(op, FaultKind.Hang);
      expect((await app.post(deviceId, body)).status).toBe(503);

      blobProxy.clear();
      tableProxy.clear();
      const retried = await app.post(deviceId, body);
      expect(retried).toMatchObject({ status: 200, body: { status: 'stored' } });
      await expectExactlyOneBlob(deviceId, body);
      expect((await app.inspector.entities(deviceId))[0]).toMatchObject({ state: 'stored' });
    },
  );

  test('a failure to mark the entry stored does not turn a confirmed duplicate into a 503', async () => {
    const deviceId = `truck-f${device++}`;
    const body = oilPayload(deviceId);
    expect((await app.post(deviceId, body)).status).toBe(200);
    inject('tableMerge', FaultKind.Status503);
    expect(await app.post(deviceId, body)).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect((await app.inspector.entities(deviceId))[0]).toMatchObject({ state: 'pending' });
    await expectExactlyOneBlob(deviceId, body);
  });

  test('a transient 503 is absorbed by the SDK retry within one request', async () => {
    const deviceId = `truck-f${device++}`;
    blobProxy.add({ label: 'transient', match: storageOps.blobPut, fault: FaultKind.Status503, times: 1 });
    expect((await app.post(deviceId, oilPayload(deviceId))).status).toBe(200);
    expect(blobProxy.counts.transient).toBe(1);
  });

  test('a body kept in chunks is streamed afresh when the SDK retries its upload', async () => {
    // The upload of a multi-chunk body is a stream factory (BlobRawStore): a retry must send every
    // byte again, or Azurite would refuse the short body's Content-MD5 and the file would be lost.
    const bytes = Buffer.from(oilPayload('truck-chunks', { note: 'x'.repeat(200_000) }));
    const chunks = Array.from({ length: 7 }, (_, i) =>
      bytes.subarray(Math.floor((i * bytes.length) / 7), Math.floor(((i + 1) * bytes.length) / 7)),
    );
    const body = RawBody.fromChunks(chunks);
    // The app's own container client, which reaches Azurite through the fault proxy.
    const store = new BlobRawStore(app.runtime.clients.rawContainer, 5_000);
    blobProxy.add({ label: 'first put', match: storageOps.blobPut, fault: FaultKind.Status503, times: 1 });

    const name = `truck-chunks/retried-${Date.now()}.json`;
    expect(await store.createIfAbsent({ name, body, contentMD5: body.digest('md5'), metadata: {} })).toBe(
      'created',
    );
    expect(blobProxy.counts['first put']).toBe(1);
    expect((await app.inspector.blob(name)).bytes.equals(bytes)).toBe(true);
  });

  test('health answers 503 while storage fails and 200 once it recovers', async () => {
    inject('any', FaultKind.Status503);
    tableProxy.add({ match: storageOps.any, fault: FaultKind.Status503 });
    const down = await app.health();
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('7');
    blobProxy.clear();
    tableProxy.clear();
    expect((await app.health()).status).toBe(200);
  });
});
