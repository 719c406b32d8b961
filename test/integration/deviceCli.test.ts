import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../shared/config';
import { createRuntime } from '../../shared/runtime';
import { createStorageClients, ensureStorageResources } from '../../shared/storage/clients';
import { describeWithAzurite, uniqueStorageEnv } from '../helpers/azurite';
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
        [join(root, 'scripts', 'device.ts'), ...args],
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

  // The same settings as the CLI, with a 1 s cache so "within the bound" is quick to observe.
  const runtime = () => {
    const config = loadConfig({ ...env, DEVICE_CACHE_TTL_SECONDS: '1', RATE_LIMIT_PER_MINUTE: '0' });
    return createRuntime(config, undefined, () => undefined);
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

  test('refuses a duplicate id, an unknown model, a bad id and an unknown command, exiting non-zero', async () => {
    await device('add', 'truck-901');
    const cases = [
      [['add', 'truck-901'], /already exists/],
      [
        ['add', 'pump-1', '--model', 'nope'],
        /Unknown model "nope"\. Known models: default, oil-condition-v1/,
      ],
      [['add', '../etc'], /device id must match/],
      [['show', 'ghost-1'], /does not exist/],
      [['frobnicate', 'x'], /Unknown command/],
      [[], /usage:/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await device(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);

  test('disable refuses the device within the cache TTL; enable re-admits it', async () => {
    const key = keyIn((await device('add', 'truck-902')).stdout)!;
    const rt = runtime();
    expect(await post(rt, 'truck-902', key, 1)).toBe(200);
    expect((await device('disable', 'truck-902')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await post(rt, 'truck-902', key, 2)).toBe(403);
    expect((await device('enable', 'truck-902')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
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
    await new Promise((r) => setTimeout(r, 1100));
    expect(await post(rt, 'truck-903', oldKey, 3)).toBe(401);

    expect((await device('remove', 'truck-903')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await post(rt, 'truck-903', newKey, 4)).toBe(401);
  }, 60_000);
});
