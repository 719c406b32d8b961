/**
 * The sweep (shared/sweep/) over the in-memory table that runs the real adapters: every claim comes
 * to an end (stored or orphaned), each file counts once in the rollups however the sweep is
 * interrupted or raced, orphans are replaced by the next request with their key, and every query is
 * a partition + RowKey range.
 */
import { createHash } from 'node:crypto';
import { ClaimInFlightError } from '../../shared/errors';
import { errorToHttp } from '../../shared/toHttpResponse';
import { fileWith, LEDGER_FIXTURE, ledgerFixture as fixture } from '../helpers/ledgerFixture';

const { DEVICE, T0, HOUR, ORPHAN_AFTER, IN_FLIGHT } = LEDGER_FIXTURE;
const KEY_RANGE = /^PartitionKey eq '[^']+' and RowKey ge '[^']*' and RowKey lt '[^']*'$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sweep: every claim comes to an end', () => {
  test('a stored file: confirmed, its claim `stored`, its marker gone, a file-log row, its readings in the day rollup, listed for the vendor', async () => {
    const fx = fixture();
    const first = await fx.send(fileWith('2026-11-25T07:58:00Z', 4));
    expect(fx.rows('~~p~')).toHaveLength(1);

    fx.clock.advance(60_000);
    const result = await fx.sweep();

    expect(result).toMatchObject({ confirmed: 1, orphaned: 0, stillPending: 0 });
    expect(result.devices[0]).toMatchObject({ deviceId: DEVICE, lastFileAt: T0, problems: [] });
    expect(fx.records.peek(DEVICE, first.sha256)).toMatchObject({
      state: 'stored',
      confirmedAt: '2026-11-25T08:16:00.000Z',
    });
    expect(fx.rows('~~p~')).toEqual([]);
    expect(fx.rows('~~f~')).toEqual([
      expect.objectContaining({
        rowKey: expect.stringMatching(/^~~f~20261125T081500000Z~[0-9a-f]{16}$/),
        state: 'stored',
        blobName: first.blobName,
        readings: 4,
      }),
    ]);
    // 07:58 and 07:59 in hour 07, 08:00 and 08:01 in hour 08.
    expect([...fx.hoursOf('20261125')]).toEqual([
      [7, { readings: 2, files: 1, untimed: 0 }],
      [8, { readings: 2, files: 1, untimed: 0 }],
    ]);
    expect(fx.confirmations.records).toEqual([
      [
        {
          name: first.blobName,
          deviceId: DEVICE,
          sha256: first.sha256,
          sizeBytes: first.sizeBytes,
          receivedAt: T0,
          confirmedAt: '2026-11-25T08:16:00.000Z',
        },
      ],
    ]);
  });

  test('a claim whose blob never landed stays pending until the orphan age, then is `orphaned`: no readings, not listed', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2))).rejects.toThrow();

    fx.clock.advance(ORPHAN_AFTER - 1);
    expect(await fx.sweep()).toMatchObject({ confirmed: 0, orphaned: 0, stillPending: 1 });
    fx.clock.advance(1);
    expect(await fx.sweep()).toMatchObject({ confirmed: 0, orphaned: 1, stillPending: 0 });

    expect(fx.records.all()).toEqual([expect.objectContaining({ state: 'orphaned' })]);
    expect(fx.rows('~~f~')).toEqual([expect.objectContaining({ state: 'orphaned' })]);
    expect(fx.rows('~~d~')).toEqual([]);
    expect(fx.confirmations.records).toEqual([]);
    expect(await fx.sweep()).toMatchObject({ confirmed: 0, orphaned: 0, stillPending: 0 });
  });

  test('a resend of an orphan, whatever its bytes, is a new receipt: stored under today, counted once, the orphan row `replaced`', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'buffer/000187.json')).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    await fx.sweep();
    fx.clock.advance(30 * 24 * HOUR);

    // The gateway rewrote the file (fresh sentAt) but kept its key.
    const again = await fx.send(fileWith(T0, 2, '2026-12-25T14:15:00Z'), 'buffer/000187.json');

    expect(again).toMatchObject({ status: 'stored', receivedAt: '2026-12-25T14:15:00.000Z' });
    expect(again.blobName).toMatch(/^truck-042\/2026\/12\/25\//);
    expect(fx.blobs.names()).toEqual([again.blobName]);
    expect(await fx.sweep()).toMatchObject({ confirmed: 1, orphaned: 0, stillPending: 0 });
    expect(fx.rows('~~f~').map((r) => r.state)).toEqual(['replaced', 'stored']);
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 2, files: 1, untimed: 0 });
    // Its readings are of November; the file log finds it under its receipt a month later.
    expect(fx.rows('~~d~20261125')[0]?.receivedOn).toBe('20261225');
    expect(fx.confirmations.names()).toEqual([again.blobName]);
  });

  test('other bytes arriving while a resend of an orphan is writing: told to retry (503), never 4xx; one blob', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'k')).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    await fx.sweep();
    let loser: unknown;
    // The other request runs whole between the winner's reclaim and its blob write.
    fx.blobs.once('createIfAbsent', async () => {
      loser = await fx.send(fileWith(T0, 4), 'k').catch((e: unknown) => e);
    });

    const winner = await fx.send(fileWith(T0, 3), 'k');

    expect(winner.status).toBe('stored');
    expect(loser).toBeInstanceOf(ClaimInFlightError);
    expect(errorToHttp(loser, 5)).toMatchObject({
      status: 503,
      headers: { 'Retry-After': String(IN_FLIGHT / 1000) },
    });
    expect(fx.blobs.names()).toEqual([winner.blobName]);
  });

  test('other bytes after a resend of an orphan was stored: 422, the key holds the stored file', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'k')).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    await fx.sweep();
    const winner = await fx.send(fileWith(T0, 3), 'k');

    const err = await fx.send(fileWith(T0, 4), 'k').catch((e: unknown) => e);

    expect(errorToHttp(err, 5).status).toBe(422);
    expect(fx.blobs.names()).toEqual([winner.blobName]);
  });

  test('two resends of the same new bytes racing on an orphan: one blob, one `stored` and one `duplicate`', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'k')).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    await fx.sweep();
    const body = fileWith(T0, 2, '2026-11-25T20:00:00Z');

    const answers = await Promise.all([fx.send(body, 'k'), fx.send(body, 'k')]);

    expect(answers.map((a) => a.status).sort()).toEqual(['duplicate', 'stored']);
    expect(answers[0]!.blobName).toBe(answers[1]!.blobName);
    expect(fx.blobs.names()).toEqual([answers[0]!.blobName]);
    await fx.sweep();
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 2, files: 1, untimed: 0 });
  });

  test('models without reading times count by the hour they arrived; a file spread over days adds to each day', async () => {
    const fx = fixture();
    await fx.send(fileWith('2026-11-24T23:30:00Z', 60));
    await fx.sweep();
    expect([...fx.hoursOf('20261124')]).toEqual([[23, { readings: 30, files: 1, untimed: 0 }]]);
    expect([...fx.hoursOf('20261125')]).toEqual([[0, { readings: 30, files: 1, untimed: 0 }]]);
  });
});

describe('sweep: a pending claim with other bytes', () => {
  test('its writer may still be at work: 503 claim_in_flight with Retry-After, nothing written', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'k')).rejects.toThrow();
    fx.clock.advance(IN_FLIGHT - 10_000);

    const err = await fx.send(fileWith(T0, 3), 'k').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ClaimInFlightError);
    expect(errorToHttp(err, 5)).toMatchObject({ status: 503, headers: { 'Retry-After': '10' } });
    expect(fx.blobs.names()).toEqual([]);
    expect(fx.records.all()).toEqual([expect.objectContaining({ sha256: sha256(fileWith(T0, 2)) })]);
  });

  test('once its writer cannot be at work: the new bytes under the claimed name, the claim rewritten, summary included', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    const original = fileWith(T0, 2);
    await expect(fx.send(original, 'k')).rejects.toThrow();
    fx.clock.advance(IN_FLIGHT);
    const rewritten = fileWith(T0, 3, '2026-11-25T08:16:00Z');

    const answer = await fx.send(rewritten, 'k');

    expect(answer).toMatchObject({ status: 'stored', sha256: sha256(rewritten), receivedAt: T0 });
    const blob = fx.blobs.peek(answer.blobName)!;
    expect(blob.body.toBuffer().toString()).toBe(rewritten);
    expect(blob.metadata).toMatchObject({
      sha256: sha256(rewritten),
      readings: '3',
      sentat: '2026-11-25T08:16:00Z',
    });
    expect(fx.records.all()).toEqual([
      expect.objectContaining({
        sha256: sha256(rewritten),
        summary: expect.objectContaining({ readings: 3 }),
      }),
    ]);
    expect(fx.rows('~~p~')).toHaveLength(1);
    await fx.sweep();
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 3, files: 1, untimed: 0 });
  });

  test('a blob repaired by a resend carries the same metadata as a first write, summary included', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    const body = fileWith(T0, 2);
    await expect(fx.send(body)).rejects.toThrow();

    const answer = await fx.send(body);

    expect(answer.status).toBe('stored');
    expect(fx.blobs.peek(answer.blobName)!.metadata).toMatchObject({
      readings: '2',
      firstreadingat: '2026-11-25T08:15:00.000Z',
      lastreadingat: '2026-11-25T08:16:00.000Z',
      sentat: T0,
      clockoffsetseconds: '0',
    });
  });
});

describe('sweep: interrupted or raced, each file counts once', () => {
  async function threeStoredFiles(fx: ReturnType<typeof fixture>) {
    for (let i = 0; i < 3; i++) await fx.send(fileWith(`2026-11-25T08:0${i}:00Z`, 1));
  }

  test('crash after the confirmation record, before the settlement: the next run settles once and lists again', async () => {
    const fx = fixture();
    await threeStoredFiles(fx);
    fx.ledger.failNext('settle');

    await expect(fx.sweep()).rejects.toThrow();
    expect(fx.rows('~~p~')).toHaveLength(3);
    expect(await fx.sweep()).toMatchObject({ confirmed: 3 });

    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 3, files: 3, untimed: 0 });
    expect(fx.confirmations.records.map((r) => r.length)).toEqual([3, 3]);
  });

  test('the settlement lands but its answer is lost: the next run finds nothing left to do', async () => {
    const fx = fixture();
    await threeStoredFiles(fx);
    fx.ledger.failNext('settle', undefined, { after: true });

    await expect(fx.sweep()).rejects.toThrow();
    expect(await fx.sweep()).toMatchObject({ confirmed: 0, stillPending: 0 });
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 3, files: 3, untimed: 0 });
  });

  test('crash between the blob check and the settlement: nothing half-done', async () => {
    const fx = fixture();
    await threeStoredFiles(fx);
    fx.ledger.failNext('rollupsOf');

    await expect(fx.sweep()).rejects.toThrow();
    expect(fx.rows('~~p~')).toHaveLength(3);
    expect(fx.rows('~~d~')).toEqual([]);
    expect(await fx.sweep()).toMatchObject({ confirmed: 3 });
  });

  test('two sweeps at once: every file confirmed by exactly one of them, counted once', async () => {
    const fx = fixture();
    await threeStoredFiles(fx);

    const [a, b] = await Promise.all([fx.sweep(), fx.sweep()]);

    expect(a.confirmed + b.confirmed).toBe(3);
    expect(a.stillPending + b.stillPending).toBe(0);
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 3, files: 3, untimed: 0 });
    expect(fx.rows('~~f~')).toHaveLength(3);
  });

  test('a sweep orphaning a claim while a resend rewrites it: the rewrite wins, nothing is orphaned', async () => {
    const fx = fixture();
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 2), 'k')).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);
    const rewritten = fileWith(T0, 5);
    // The resend's rewrite lands between the sweep's verdict and its settlement.
    fx.ledger.once('settle', async () => {
      await fx.send(rewritten, 'k');
    });

    const result = await fx.sweep();

    expect(result).toMatchObject({ orphaned: 0, confirmed: 1 });
    expect(fx.records.all()).toEqual([
      expect.objectContaining({ state: 'stored', sha256: sha256(rewritten) }),
    ]);
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 5, files: 1, untimed: 0 });
  });

  test('many files in one run are settled in transactions of at most 100 operations', async () => {
    const fx = fixture();
    for (let i = 0; i < 70; i++) await fx.send(fileWith(T0, 1, T0, { firmware: `v${i}` }));
    const settlements: number[] = [];
    fx.ledger.on('settle', (s) => {
      settlements.push(s.files.length * 3 + s.rollups.length);
    });

    expect(await fx.sweep()).toMatchObject({ confirmed: 70 });

    expect(settlements.every((n) => n <= 100)).toBe(true);
    expect(settlements.length).toBeGreaterThan(1);
    expect(fx.hoursOf('20261125').get(8)).toEqual({ readings: 70, files: 70, untimed: 0 });
  });
});

describe('sweep: what it reads', () => {
  test('every query is one partition and one RowKey range', async () => {
    const fx = fixture();
    await fx.send(fileWith(T0, 2));
    fx.blobs.failNext('createIfAbsent');
    await expect(fx.send(fileWith(T0, 3))).rejects.toThrow();
    fx.clock.advance(ORPHAN_AFTER);

    await fx.sweep();
    await fx.ledger.fileLog(DEVICE, new Date('2026-11-25T00:00:00Z'), new Date('2026-11-26T00:00:00Z'));
    await fx.ledger.rollupRange(DEVICE, '20261101', '20261130');

    expect(fx.records.table.filters.length).toBeGreaterThan(0);
    for (const filter of fx.records.table.filters) expect(filter).toMatch(KEY_RANGE);
  });

  test('a blob with other bytes than its claim is reported, not settled', async () => {
    const fx = fixture();
    const answer = await fx.send(fileWith(T0, 2));
    const blob = fx.blobs.peek(answer.blobName)!;
    fx.blobs.put({ ...blob, metadata: { ...blob.metadata, sha256: 'f'.repeat(64) } });

    const result = await fx.sweep();

    expect(result).toMatchObject({ confirmed: 0, orphaned: 0, stillPending: 1 });
    expect(result.devices[0]!.problems).toEqual([`${answer.blobName} holds other bytes than its claim`]);
  });
});
