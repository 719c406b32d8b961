import { Category, categoryOf } from '../support/bench/cpuProfile';
import { BodyTemplate, GzipBodies, deviceOf, uploadOf } from '../support/bench/payloads';
import {
  MiB,
  concurrentFit,
  median,
  meets,
  pairedRatio,
  parseMachineTicks,
  parseProcStatTicks,
  parseProcStatus,
  percentile,
  ratio,
} from '../support/bench/stats';
import { gunzipSync } from 'node:zlib';
import { DRAIN_FILES, drainSizeOf } from '../support/bench/drain';
import { calmRuns, calmerRun, inRoundOrder, loadVariants } from '../support/bench/loadSection';
import { loadGeneratedValidator } from '../../shared/validation/generatedValidators';

describe('median and percentile', () => {
  test.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5], 5],
    [[NaN, 1, 3], 2],
  ])('median(%j) = %d', (xs, expected) => expect(median(xs)).toBe(expected));

  test('median of nothing is NaN', () => expect(median([])).toBeNaN());

  test.each([
    [50, 50],
    [99, 99],
    [100, 100],
    [0, 1],
  ])('p%d of 1..100 is %d (nearest rank)', (p, expected) => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, p)).toBe(expected);
  });
});

describe('ratio', () => {
  test.each([
    [3, 2, 1.5],
    [1, 0, NaN],
    [NaN, 2, NaN],
    [2, -1, NaN],
  ])('%d / %d = %d', (a, b, expected) => expect(ratio(a, b)).toBe(expected));
});

describe('targets', () => {
  test.each([
    [0.96, '>=', 0.95, true],
    [0.94, '>=', 0.95, false],
    [1.1, '<=', 1.1, true],
    [NaN, '<=', 1.1, undefined],
  ] as const)('%d %s %d -> %s', (value, op, bound, expected) =>
    expect(meets(value, op, bound)).toBe(expected),
  );
});

describe('/proc parsing', () => {
  test('VmRSS and VmHWM in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(parseProcStatus(status)).toEqual({ rssBytes: 100 * MiB, peakBytes: 200 * MiB });
  });

  test('utime + stime, even when the command name holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (my app)) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 11';
    expect(parseProcStatTicks(stat)).toBe(175);
  });

  test('machine busy ticks leave out idle and iowait', () => {
    const stat = 'cpu  100 5 50 800 20 1 4 10 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
    expect(parseMachineTicks(stat)).toEqual({ busy: 170, total: 990 });
  });
});

describe('ratios within a round', () => {
  const run = (round: number, value: number, calm = true) => ({ round, value, calm });
  const ratioOf = (runs: ReturnType<typeof run>[], references: ReturnType<typeof run>[]) =>
    pairedRatio(
      runs,
      references,
      (r) => r.calm,
      (r) => r.value,
    );

  test('each run against the reference of its own round, then the median', () => {
    const references = [run(1, 100), run(2, 200), run(3, 50)];
    expect(ratioOf([run(3, 25), run(1, 90), run(2, 100)], references)).toBe(0.5);
  });

  test('only rounds where both were calm, when there are any', () => {
    const references = [run(1, 100), run(2, 100, false), run(3, 100)];
    expect(ratioOf([run(1, 80), run(2, 10), run(3, 60, false)], references)).toBe(0.8);
  });

  test('all paired rounds when none was calm on both sides; unpaired rounds never count', () => {
    const references = [run(1, 100, false), run(2, 100)];
    expect(ratioOf([run(1, 30), run(2, 50, false), run(4, 1000)], references)).toBe(0.4);
    expect(ratioOf([run(4, 1)], references)).toBeNaN();
  });
});

describe('the drain and the large-file variants', () => {
  test('500 files: every 100th ~1 MB, every 10th of the rest ~64 KB, else ~1 KB', () => {
    const sizes = Array.from({ length: DRAIN_FILES }, (_, i) => drainSizeOf(i));
    expect(DRAIN_FILES).toBe(500);
    expect(sizes.slice(0, 10)).toEqual([...Array<string>(9).fill('1k'), '64k']);
    expect([sizes[98], sizes[99], sizes[100], sizes[109]]).toEqual(['1k', '1m', '1k', '64k']);
    expect(sizes.filter((s) => s === '1m')).toHaveLength(5);
    expect(sizes.filter((s) => s === '64k')).toHaveLength(45);
  });

  test('~1 MB files at 1, 4 and 16 connections next to the floor and its checked ceiling; --variants keeps matching ids; --baseline twins', () => {
    const ids = loadVariants(false).map((v) => v.id);
    for (const c of [1, 4, 16])
      expect(ids).toEqual(
        expect.arrayContaining([
          `floor-parallel/1m/c${c}`,
          `floor-checked/1m/c${c}`,
          `ingest-auth-on/1m/c${c}`,
        ]),
      );
    expect(ids.filter((id) => id.startsWith('floor-checked/'))).toEqual([
      'floor-checked/64k/c16',
      'floor-checked/1m/c16',
      'floor-checked/1m/c1',
      'floor-checked/1m/c4',
    ]);
    expect(loadVariants(false, ['1m/c4', '/64k/']).map((v) => v.id)).toEqual([
      'floor-parallel/64k/c16',
      'floor-checked/64k/c16',
      'ingest-auth-on/64k/c16',
      'floor-parallel/1m/c4',
      'floor-checked/1m/c4',
      'ingest-auth-on/1m/c4',
    ]);
    expect(loadVariants(false, ['/1m/c1/', '1k/c16'], true).map((v) => v.id)).toEqual([
      'floor-parallel/1k/c16',
      'floor-serial/1k/c16',
      'ingest-auth-on/1k/c16',
      'ingest-before-auth-on/1k/c16',
      'ingest-auth-off/1k/c16',
      'floor-parallel/1m/c1',
      'floor-checked/1m/c1',
      'ingest-auth-on/1m/c1',
      'ingest-before-auth-on/1m/c1',
    ]);
    expect(loadVariants(true, ['1m/']).map((v) => v.id)).toEqual([
      'floor-parallel/1k/c16',
      'ingest-auth-on/1k/c16',
    ]);
  });
});

describe('runs other processes disturbed', () => {
  const runs = (...shares: number[]) => shares.map((othersShare, i) => ({ othersShare, i }));
  const measuring = (...shares: number[]) => {
    const queue = runs(...shares);
    return jest.fn(() => Promise.resolve(queue.shift()!));
  };

  test('a calm run is kept without a second one', async () => {
    const measure = measuring(0.25, 0);
    expect(await calmerRun(measure)).toEqual({ othersShare: 0.25, i: 0 });
    expect(measure).toHaveBeenCalledTimes(1);
  });

  test('a disturbed run is measured once more, and the calmer of the two kept', async () => {
    expect(await calmerRun(measuring(0.5, 0.3))).toEqual({ othersShare: 0.3, i: 1 });
    const measure = measuring(0.3, 0.6, 0);
    expect(await calmerRun(measure)).toEqual({ othersShare: 0.3, i: 0 });
    expect(measure).toHaveBeenCalledTimes(2);
  });

  test('figures come from the calm runs, or from all when none was calm', () => {
    expect(calmRuns(runs(0.1, 0.5, 0.25)).map((r) => r.i)).toEqual([0, 2]);
    expect(calmRuns(runs(0.3, 0.5)).map((r) => r.i)).toEqual([0, 1]);
  });
});

describe('the run order within a round', () => {
  const ids = (vs: Array<{ id: string }>) => vs.map((v) => v.id);
  const variants = loadVariants(false, ['/1k/c64/'], true);

  test('a variant and its baseline twin swap places every other round; the rest keep theirs', () => {
    expect(ids(inRoundOrder(variants, 1))).toEqual([
      'floor-parallel/1k/c64',
      'floor-serial/1k/c64',
      'ingest-auth-on/1k/c64',
      'ingest-before-auth-on/1k/c64',
    ]);
    expect(ids(inRoundOrder(variants, 2))).toEqual([
      'floor-parallel/1k/c64',
      'floor-serial/1k/c64',
      'ingest-before-auth-on/1k/c64',
      'ingest-auth-on/1k/c64',
    ]);
    expect(ids(inRoundOrder(variants, 3))).toEqual(ids(inRoundOrder(variants, 1)));
  });

  test("the drain's twins, by the drain's names", () => {
    const drain = ['plain/floor', 'plain/ingest', 'plain/before', 'gzip/floor', 'gzip/ingest', 'gzip/before'];
    const order = inRoundOrder(
      drain.map((id) => ({ id })),
      2,
      (id) => id.replace(/\/ingest$/, '/before'),
    );
    expect(ids(order)).toEqual([
      'plain/floor',
      'plain/before',
      'plain/ingest',
      'gzip/floor',
      'gzip/before',
      'gzip/ingest',
    ]);
  });
});

describe('how many max-size requests fit an instance', () => {
  test.each([
    // instance, baseline, per request, fit
    [512, 200 * MiB, 40 * MiB, 7],
    [2048, 200 * MiB, 40 * MiB, 46],
    [512, 600 * MiB, 40 * MiB, 0],
  ])('%d MB, baseline %d B, %d B each -> %d', (instance, baseline, each, fit) =>
    expect(concurrentFit(instance, baseline, each)).toBe(fit),
  );

  test('an unmeasured cost fits nothing', () => expect(concurrentFit(512, 0, NaN)).toBeNaN());
});

describe('profile categories', () => {
  test.each([
    ['../shared/jsonStructure.ts', 'checkJsonStructure', Category.Scan],
    ['../shared/parseJson.ts', 'parseJson', Category.JsonParse],
    ['../shared/generated/firstError.js', 'validate10', Category.Validation],
    ['../node_modules/ajv-formats/src/formats.ts', 'date_time', Category.Validation],
    ['../shared/readingSummary.ts', 'summarizeReadings', Category.Summary],
    ['../shared/timestampMs.ts', 'canonicalMs', Category.Summary],
    ['../shared/validation/modelProfile.ts', 'walk', Category.Summary],
    ['../shared/validation/modelProfile.ts', 'checkPayloadDevice', Category.Validation],
    ['../shared/validation/dateTime.ts', 'isDateTime', Category.Validation],
    ['../shared/hash.ts', 'md5', Category.Hashing],
    ['../shared/rawBody.ts', 'RawBody.digest', Category.Hashing],
    ['../shared/rawBody.ts', 'text', Category.JsonParse],
    ['../shared/rawBody.ts', 'RawBody.stream', Category.Core],
    ['../shared/requestLog.ts', 'formatRequestLog', Category.Logging],
    ['', 'consoleCall', Category.Logging],
    ['/work/main/scripts/dev/devHost.ts', 'DevHost.log', Category.Logging],
    ['/work/main/scripts/dev/devHost.ts', 'flush', Category.Logging],
    ['/work/main/scripts/dev/devHost.ts', 'handle', Category.DevHost],
    ['webpack://@azure/functions/src/http/HttpRequest.ts', 'HttpRequest', Category.DevHost],
    ['node:internal/deps/undici/undici', '_Request', Category.DevHost],
    ['../node_modules/@azure/storage-blob/src/Clients.ts', 'upload', Category.AzureSdk],
    ['../shared/ingest.ts', 'admit', Category.Core],
    ['node:internal/crypto/hash', 'Hmac', Category.NodeCore],
    ['', '(garbage collector)', Category.Gc],
    ['', '(idle)', Category.Idle],
    ['', 'writev', Category.Other],
  ])('%s %s -> %s', (source, fn, category) => expect(categoryOf(source, fn)).toBe(category));
});

describe('bench uploads', () => {
  const validator = loadGeneratedValidator();

  test.each([1024, 64 * 1024, MiB, 10 * MiB - 64])(
    'about %d bytes, never more, valid oil-condition-v1 naming its device',
    (target) => {
      const template = new BodyTemplate(target);
      for (const seq of [0, 7, 12_345_678]) {
        const body = template.body(seq);
        expect(body.byteLength).toBeLessThanOrEqual(target);
        expect(body.byteLength).toBeGreaterThan(target * 0.9);
        const doc = JSON.parse(body.toString()) as { deviceId: string; sequence: number };
        expect({ deviceId: doc.deviceId, sequence: doc.sequence }).toEqual({
          deviceId: deviceOf(seq),
          sequence: seq,
        });
        expect(() => validator.validate('oil-condition-v1', doc, body.byteLength)).not.toThrow();
      }
    },
  );

  test('every request of a run is a different file, sent to its own device with its key', () => {
    const template = new BodyTemplate(1024);
    const keys = new Map([['truck-3', 'truck-3~key']]);
    const bodies = new Set(Array.from({ length: 50 }, (_, seq) => template.body(seq).toString()));
    expect(bodies.size).toBe(50);
    expect(uploadOf(13, template, keys)).toMatchObject({
      path: '/api/ingest/truck-3',
      headers: { authorization: 'Bearer truck-3~key', 'content-type': 'application/json' },
    });
  });

  test('gzipped bodies decompress to the same files, prepared or not', () => {
    const template = new BodyTemplate(64 * 1024);
    const gzip = new GzipBodies(template);
    gzip.prepare(2);
    for (const seq of [1, 5]) expect(gunzipSync(gzip.body(seq)).equals(template.body(seq))).toBe(true);
  });
});
