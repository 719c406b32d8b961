/**
 * Peak memory of the dev host (VmHWM of the host process itself, reset right before the measured
 * requests): one body of the largest allowed size (MAX_BODY_BYTES), and 64 concurrent ~1 MB bodies.
 * From the cost per request, how many concurrent max-size uploads fit a Flex Consumption instance.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type LoadResult, failedCount, runLoad } from './load';
import { BodyTemplate, type BodySource, uploadOf } from './payloads';
import { memoryOf, resetPeak } from './procfs';
import { type SectionReport, say, table } from './report';
import { MAX_BODY_BYTES, freshStorage, startDevHost } from './servers';
import { MiB, concurrentFit, fmtBytes, fmtMiB, median } from './stats';

export const FLEX_INSTANCE_MIB = [512, 2048, 4096] as const;

interface Measured {
  baseline: number;
  peak: number;
  failures: number;
  peakWasReset: boolean;
}

export interface MemoryFacts {
  maxBodyBytes: number;
  baseline: number;
  /** Peak - baseline with one max-size body in flight. */
  oneMaxBody: number;
}

async function measurePeak(
  workDir: string,
  load: (url: string, keys: Map<string, string>) => Promise<LoadResult>,
): Promise<Measured> {
  const storage = await freshStorage();
  try {
    const host = await startDevHost(storage, { auth: true, workDir });
    try {
      // Warm: code compiled, SDK connections open, device keys cached, as in steady state.
      let seq = 1_000_000;
      const small = new BodyTemplate(1024);
      await runLoad({
        url: host.url,
        connections: 4,
        amount: 200,
        next: () => uploadOf(seq++, small, storage.keys),
      });
      await sleep(300);
      const baseline = memoryOf(host.pid).rssBytes;
      const peakWasReset = resetPeak(host.pid);
      const result = await load(host.url, storage.keys);
      return { baseline, peak: memoryOf(host.pid).peakBytes, failures: failedCount(result), peakWasReset };
    } finally {
      await host.stop();
    }
  } finally {
    await storage.azurite.stop();
  }
}

export async function memorySection(
  rounds: number,
  workDir: string,
): Promise<SectionReport & { facts: MemoryFacts }> {
  const maxBody = new BodyTemplate(MAX_BODY_BYTES - 64);
  const oneMb = new BodyTemplate(MiB);
  const maxBytes = maxBody.body(0).byteLength;
  const mbBytes = oneMb.body(0).byteLength;
  const send =
    (bodies: BodySource, connections: number, amount: number) => (url: string, keys: Map<string, string>) => {
      let seq = 0;
      return runLoad({ url, connections, amount, next: () => uploadOf(seq++, bodies, keys) });
    };
  const single: Measured[] = [];
  const concurrent: Measured[] = [];
  say(`Memory: peak RSS of the dev host process (${rounds} rounds, a fresh host and Azurite each)`);
  for (let round = 1; round <= rounds; round++) {
    single.push(await measurePeak(workDir, send(maxBody, 1, 1)));
    concurrent.push(await measurePeak(workDir, send(oneMb, 64, 128)));
    const [s, c] = [single.at(-1)!, concurrent.at(-1)!];
    say(
      `   round ${round}: one ${fmtBytes(maxBytes)} body: ${fmtMiB(s.baseline)} -> ${fmtMiB(s.peak)}; ` +
        `64 x ${fmtBytes(mbBytes)}: ${fmtMiB(c.baseline)} -> ${fmtMiB(c.peak)}`,
    );
  }
  const failures = [...single, ...concurrent].reduce((n, m) => n + m.failures, 0);
  if (failures) say(`!!! memory runs: ${failures} uploads were not answered 200`);
  if ([...single, ...concurrent].some((m) => !m.peakWasReset))
    say('!!! could not reset VmHWM (/proc/<pid>/clear_refs): peaks include start-up');

  const baseline = median(single.map((m) => m.baseline));
  const oneMax = median(single.map((m) => m.peak - m.baseline));
  const perMb = median(concurrent.map((m) => (m.peak - m.baseline) / 64));
  // The 64-way figure per byte of body, scaled to a max-size body: the other estimate of one upload's cost.
  const perMaxFrom64 = (perMb / mbBytes) * maxBytes;
  const rows = [
    ['idle baseline (after warm-up)', fmtMiB(baseline), ''],
    [
      `one ${fmtBytes(maxBytes)} body (MAX_BODY_BYTES)`,
      fmtMiB(baseline + oneMax),
      `+${fmtMiB(oneMax)} = ${(oneMax / maxBytes).toFixed(2)}x the body`,
    ],
    [
      `64 concurrent ~1 MB (${fmtBytes(mbBytes)}) bodies`,
      fmtMiB(median(concurrent.map((m) => m.peak))),
      `+${fmtMiB(perMb)} per request = ${(perMb / mbBytes).toFixed(1)}x the body`,
    ],
  ];
  const fits = FLEX_INSTANCE_MIB.map((mib) => [
    `${mib} MB`,
    String(concurrentFit(mib, baseline, oneMax)),
    String(concurrentFit(mib, baseline, perMaxFrom64)),
  ]);
  const markdown = [
    table(['dev host process', 'peak RSS (median)', 'per request'], rows),
    '',
    table(
      [
        'Flex instance memory',
        `concurrent ${fmtBytes(maxBytes)} uploads that fit (cost of one alone)`,
        'that fit (cost per byte at 64 concurrent, scaled)',
      ],
      fits,
    ),
  ].join('\n');
  say();
  say(markdown);
  say();
  return { id: 'memory', markdown, facts: { maxBodyBytes: maxBytes, baseline, oneMaxBody: oneMax } };
}
