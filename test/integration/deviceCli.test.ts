import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../shared/config';
import { createRuntime } from '../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
import { TestClock } from '../helpers/clock';
import { oilPayload } from '../helpers/testApp';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

/** `npm run device -- ...` as an operator runs it, against Azurite, and its effect on the real ingest path. */
describeWithAzurite('the device CLI', () => {
  const { env } = uniqueStorageEnv();
  const device = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        join(root, 'node_modules', '.bin', 'tsx'),
        [join(root, 'scripts', 'ops', 'cli.ts'), 'device', ...args],
        {
          cwd: root,
          env,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };
  const keyIn = (stdout: string) => /^ {2}(\S+~[0-9a-f]{8}~\S{43})$/m.exec(stdout)?.[1];

  // The same settings as the CLI; the runtime's clock is moved past the device cache's TTL (60 s by
  // default) to observe "within the bound" without sleeping.
  const clock = new TestClock(new Date());
  const pastTtl = () => clock.advance(61_000);
  const runtime = () => {
    const config = loadConfig({ ...env, RATE_LIMIT_PER_MINUTE: '0' });
    return createRuntime(config, { now: clock.now, warn: () => undefined });
  };
  const post = async (rt: ReturnType<typeof runtime>, deviceId: string, key: string, sequence: number) => {
    const body = oilPayload(deviceId, { sequence });
    try {
      await rt.ingest.ingest({
        method: 'POST',
        deviceId,
        contentType: 'application/json',
        contentLength: null,
        contentEncoding: null,
        authorization: `Bearer ${key}`,
        deviceKey: null,
        idempotencyKey: null,
        forwardedFor: null,
        body: (async function* () {
          yield Buffer.from(body);
        })(),
      });
      return 200;
    } catch (err) {
      return (err as { status?: number }).status ?? 500;
    }
  };

  beforeAll(async () => {
    await ensureStorageResources(createStorageClients(loadConfig(env)));
  });

  test('add prints a working key once; list and show never print keys', async () => {
    const added = await device('add', 'truck-900');
    expect(added.code).toBe(0);
    const key = keyIn(added.stdout)!;
    expect(key).toMatch(/^truck-900~/);
    expect(added.stdout).toContain('model oil-condition-v1'); // from the device map's truck-* rule

    const listed = await device('list');
    const shown = await device('show', 'truck-900');
    expect(listed.stdout).toMatch(/truck-900\tmodel=oil-condition-v1\tenabled\tkeys=1/);
    expect(shown.stdout).toContain(`key ${key.split('~')[1]}: active`);
    for (const out of [listed.stdout, shown.stdout]) expect(out).not.toContain(key.split('~')[2]);

    expect(await post(runtime(), 'truck-900', key, 1)).toBe(200);
  }, 30_000);

  test('refuses bad usage with exit 64 and failed operations with exit 1, saying why', async () => {
    await device('add', 'truck-901');
    const cases = [
      [['add', 'truck-901'], 1, /already exists/],
      [['show', 'ghost-1'], 1, /does not exist/],
      [
        ['add', 'pump-1', '--model', 'nope'],
        64,
        /Unknown model "nope"\. Known models: default, oil-condition-v1/,
      ],
      [['add', '../etc'], 64, /device id must match/],
      [['rotate', 'truck-901', '--grace', 'soon'], 64, /Cannot read duration "soon"/],
      [['frobnicate', 'x'], 64, /unknown command 'frobnicate'/],
      [['add'], 64, /missing required argument 'deviceId'/],
      [[], 64, /Usage: telemetry-ops device/],
    ] as const;
    for (const [args, code, message] of cases) {
      const result = await device(...args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);

  test('--help describes every subcommand and exits 0', async () => {
    const help = await device('--help');
    expect(help.code).toBe(0);
    for (const command of ['add', 'list', 'show', 'rotate', 'disable', 'enable', 'remove'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  }, 30_000);

  test('disable refuses the device within the cache TTL; enable re-admits it', async () => {
    const key = keyIn((await device('add', 'truck-902')).stdout)!;
    const rt = runtime();
    expect(await post(rt, 'truck-902', key, 1)).toBe(200);
    expect((await device('disable', 'truck-902')).code).toBe(0);
    pastTtl();
    expect(await post(rt, 'truck-902', key, 2)).toBe(403);
    expect((await device('enable', 'truck-902')).code).toBe(0);
    pastTtl();
    expect(await post(rt, 'truck-902', key, 3)).toBe(200);
  }, 30_000);

  test('rotate: both keys work during the grace period; remove locks the device out', async () => {
    const oldKey = keyIn((await device('add', 'truck-903')).stdout)!;
    const rotated = await device('rotate', 'truck-903', '--grace', '1h');
    const newKey = keyIn(rotated.stdout)!;
    expect(newKey).not.toBe(oldKey);
    const rt = runtime();
    expect(await post(rt, 'truck-903', oldKey, 1)).toBe(200);
    expect(await post(rt, 'truck-903', newKey, 2)).toBe(200);

    expect((await device('rotate', 'truck-903', '--grace', '0')).code).toBe(0);
    pastTtl();
    expect(await post(rt, 'truck-903', oldKey, 3)).toBe(401);

    expect((await device('remove', 'truck-903')).code).toBe(0);
    pastTtl();
    expect(await post(rt, 'truck-903', newKey, 4)).toBe(401);
  }, 60_000);

  test('set --expect-every: any duration from 1m, shown by show; below 1m or for an unknown device, refused', async () => {
    expect((await device('add', 'truck-904')).code).toBe(0);
    expect((await device('show', 'truck-904')).stdout).toContain(
      'expected every 7200 s (default), last file none confirmed yet',
    );
    const set = await device('set', 'truck-904', '--expect-every', '90m');
    expect(set.code).toBe(0);
    expect((await device('show', 'truck-904')).stdout).toContain('expected every 5400 s, last file');
    expect((await device('set', 'truck-904', '--expect-every', '1m')).code).toBe(0);
    const tooShort = await device('set', 'truck-904', '--expect-every', '59s');
    expect(tooShort).toMatchObject({ code: 64, stderr: expect.stringContaining('at least 1m') });
    const unknown = await device('set', 'truck-nobody', '--expect-every', '2h');
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('does not exist') });
  }, 60_000);
});
