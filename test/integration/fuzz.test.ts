import { assertNever5xx } from '../support/fuzz/ingestFuzz';
import { describeWithAzurite } from '../helpers/azurite';
import { createTestApp, oilPayload } from '../helpers/testApp';

describeWithAzurite('property-based fuzzing of the handler (fixed seed)', () => {
  test('every answer is 200 or a 4xx with an error body; the app stays healthy', async () => {
    const app = await createTestApp({ MAX_BODY_BYTES: '65536' });
    const keys = {
      'truck-f1': await app.keyFor('truck-f1'),
      'pump-f2': await app.keyFor('pump-f2'),
      'truck-f3': await app.keyFor('truck-f3'),
    };
    const { statuses } = await assertNever5xx(
      (r) => app.send(r.method, r.deviceId, r.body, { authorization: null, ...r.headers }),
      keys,
      { numRuns: 400, seed: 20261125 },
    );
    console.log(`fuzz status counts: ${JSON.stringify(statuses)}`);
    // The generator must reach both the storage path and the refusals, or the property proves little.
    expect(statuses[200]).toBeGreaterThan(20);
    expect(Object.keys(statuses).filter((s) => s.startsWith('4')).length).toBeGreaterThanOrEqual(5);
    expect((await app.health()).status).toBe(200);
    expect((await app.post('truck-f1', oilPayload('truck-f1', { sequence: 424242 }))).status).toBe(200);
  }, 120_000);
});
