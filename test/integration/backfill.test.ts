import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { addKey, rotateKey } from '../../shared/auth/deviceAdmin';
import { azuriteConnectionString, describeWithAzurite } from '../helpers/azurite';
import { testNeeding } from '../helpers/ci';
import { oilPayload } from '../helpers/testApp';
import {
  blobsPerDevice,
  type Endpoint,
  readJournal,
  ROOT,
  runBackfillCli,
  sha256,
  startEndpoint,
  summaryOf,
  writeFolder,
  writeKeys,
} from '../support/backfill/harness';

const run = promisify(execFile);
const JOURNAL = '.backfill-journal.jsonl';

/** A valid upload over 1 KiB, so it travels gzipped by default. */
const bigPayload = (deviceId: string) =>
  oilPayload(deviceId, {
    readings: Array.from({ length: 30 }, (_, i) => ({
      timestamp: `2026-11-25T08:${String(i).padStart(2, '0')}:00Z`,
      oilTemperatureC: 80 + i / 10,
      densityKgM3: 871,
      viscosityCSt: 96,
    })),
  });

/** util-linux's script(1) runs a command on a pseudo-terminal (other variants take other flags). */
const testWithScript = testNeeding('util-linux script(1) (a pseudo-terminal)', () =>
  /util-linux/.test(spawnSync('script', ['--version']).stdout?.toString() ?? '')
    ? undefined
    : 'script --version is not util-linux (apt-get install -y util-linux)',
);

/** Everything a file found its way into, to prove no key leaks. */
function everything(folder: string, ...texts: string[]): string {
  const journal = join(folder, JOURNAL);
  return [...texts, existsSync(journal) ? readFileSync(journal, 'utf8') : ''].join('\n');
}

/** The backfill CLI against the real endpoint (dev host + Azurite, device keys on). */
describeWithAzurite('backfill: a folder of gateway files into the endpoint', () => {
  let endpoint: Endpoint;
  const work = mkdtempSync(join(tmpdir(), 'backfill-test-'));
  const dir = (name: string) => join(work, name);

  beforeAll(async () => {
    endpoint = await startEndpoint(
      azuriteConnectionString(),
      { RATE_LIMIT_PER_MINUTE: '0' },
      { https: true },
    );
  }, 60_000);

  afterAll(async () => {
    await endpoint?.stop();
  });

  test('3 devices: valid files stored once, identical copies deduplicated, rejections journaled and quarantined, a revoked key stops its device; reruns skip what was acknowledged', async () => {
    const folder = dir('three-devices');
    const valid = (device: string, sequence: number) => oilPayload(device, { sequence });
    const files: Record<string, string> = {
      'truck-a/2026/11/25/000008.json': oilPayload('truck-a', {
        readings: [{ timestamp: '2026-11-25T08:10:00Z', oilTemperatureC: 'hot' }],
      }),
      'truck-a/2026/11/25/000007.json': bigPayload('truck-a'),
      'truck-a/2026/11/26/copy-of-000001.json': valid('truck-a', 1),
      'truck-b/buffer/0005.json': '{"deviceId": "truck-b", "readings": [',
      'truck-b/buffer/0006.json': valid('truck-a', 6),
      'truck-r/0001.json': valid('truck-r', 1),
      'truck-r/0002.json': valid('truck-r', 2),
      'truck-r/0003.json': valid('truck-r', 3),
      // Not sent: not *.json, or hidden (a gateway's temporary file).
      'truck-a/notes.txt': 'not a buffer file',
      'truck-a/.000009.json.tmp.json': valid('truck-a', 9),
    };
    for (let i = 1; i <= 6; i++) files[`truck-a/2026/11/25/00000${i}.json`] = valid('truck-a', i);
    for (let i = 1; i <= 4; i++) files[`truck-b/buffer/000${i}.json`] = valid('truck-b', i);
    writeFolder(folder, files);

    const keys = await endpoint.addDevices(['truck-a', 'truck-b', 'truck-r']);
    // truck-r's key is revoked (rotated with no grace period); the operator still has the old one.
    await rotateKey(endpoint.registry, 'truck-r', 0);
    const keysFile = writeKeys(work, keys, 'three-keys.json');
    const quarantine = dir('three-quarantine');
    const args = [folder, '--url', endpoint.url, '--keys', keysFile, '--quarantine', quarantine, '--json'];

    const first = await runBackfillCli(args);
    expect({ code: first.code, summary: summaryOf(first) }).toEqual({
      code: 2, // truck-r's files are left unsent
      summary: {
        files: 18,
        stored: 11,
        duplicate: 1,
        rejected: 3,
        unsent: 3,
        skipped: 0,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    // The revoked key is reported once, not per file.
    expect(first.stderr.match(/truck-r: 401 invalid_credentials/g)).toHaveLength(1);
    expect(first.stdout).toMatch(/^truck-a +9 +7 +1 +0 +1 +0 +schema_validation 1$/m);
    expect(first.stdout).toMatch(/^truck-b +6 +4 +0 +0 +2 +0 +device_id_mismatch 1, invalid_json 1$/m);
    expect(first.stdout).toMatch(/^truck-r +3 +0 +0 +0 +0 +3 +unsent: 401 invalid_credentials 3$/m);
    expect(first.stdout).toMatch(/^total +18 +11 +1 +0 +3 +3 /m);
    expect(await blobsPerDevice(endpoint.inspector)).toMatchObject({ 'truck-a': 7, 'truck-b': 4 });
    expect((await blobsPerDevice(endpoint.inspector))['truck-r']).toBeUndefined();

    // The journal: one line per acknowledged or rejected file, with the sha256 and size of its bytes.
    const journal = readJournal(join(folder, JOURNAL));
    expect(journal).toHaveLength(15);
    const byPath = new Map(journal.map((line) => [line.path, line]));
    for (const [path, content] of Object.entries(files)) {
      const line = byPath.get(path);
      if (path.startsWith('truck-r/') || !path.endsWith('.json') || path.includes('/.')) {
        expect({ path, line }).toEqual({ path, line: undefined });
        continue;
      }
      expect({ path, size: line?.size, sha256: line?.sha256 }).toEqual({
        path,
        size: Buffer.byteLength(content),
        sha256: sha256(content),
      });
      expect(Date.parse(line!.time)).not.toBeNaN();
    }
    const rejected = journal
      .filter((l) => l.status === 'rejected')
      .map((l) => [l.path, l.httpStatus, l.error]);
    expect(rejected.sort()).toEqual([
      ['truck-a/2026/11/25/000008.json', 400, 'schema_validation'],
      ['truck-b/buffer/0005.json', 400, 'invalid_json'],
      ['truck-b/buffer/0006.json', 400, 'device_id_mismatch'],
    ]);
    // Of the two identical files, one is stored and one a duplicate naming the same blob.
    const original = byPath.get('truck-a/2026/11/25/000001.json')!;
    const copy = byPath.get('truck-a/2026/11/26/copy-of-000001.json')!;
    expect([original.status, copy.status].sort()).toEqual(['duplicate', 'stored']);
    expect(copy.blob).toBe(original.blob);
    // Every acknowledged line names a blob holding exactly the file's bytes (the big one went gzipped).
    for (const line of journal.filter((l) => l.status !== 'rejected')) {
      const blob = await endpoint.inspector.blob(line.blob!);
      expect({ path: line.path, sha256: sha256(blob.bytes) }).toEqual({
        path: line.path,
        sha256: line.sha256,
      });
    }
    const big = await endpoint.inspector.blob(byPath.get('truck-a/2026/11/25/000007.json')!.blob!);
    expect(big.metadata.receivedencoding).toBe('gzip');
    expect(big.bytes.toString()).toBe(files['truck-a/2026/11/25/000007.json']);

    // Quarantine: each rejected file moved with a reason beside it; the rest stay where they were.
    const reason = JSON.parse(
      readFileSync(join(quarantine, 'truck-a/2026/11/25/000008.json.reason.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(reason).toMatchObject({
      device: 'truck-a',
      path: 'truck-a/2026/11/25/000008.json',
      httpStatus: 400,
      error: 'schema_validation',
      sha256: sha256(files['truck-a/2026/11/25/000008.json']!),
    });
    expect(JSON.stringify(reason.details)).toContain('/readings/0/oilTemperatureC');
    expect(readdirSync(join(quarantine, 'truck-b/buffer')).sort()).toEqual([
      '0005.json',
      '0005.json.reason.json',
      '0006.json',
      '0006.json.reason.json',
    ]);
    expect(readFileSync(join(quarantine, 'truck-b/buffer/0005.json'), 'utf8')).toBe(
      files['truck-b/buffer/0005.json'],
    );
    expect(existsSync(join(folder, 'truck-b/buffer/0005.json'))).toBe(false);
    expect(existsSync(join(folder, 'truck-b/buffer/0001.json'))).toBe(true);
    expect(first.stdout).toContain(`Rejected (moved to ${quarantine}):`);

    // Second run with truck-r's new key: only truck-r's files are sent; the rest are journaled.
    const newKeys = { ...keys, 'truck-r': await addKey(endpoint.registry, 'truck-r') };
    const rerun = [...args.slice(0, 3), '--keys', writeKeys(work, newKeys, 'new-keys.json'), '--json'];
    const second = await runBackfillCli(rerun);
    expect({ code: second.code, summary: summaryOf(second) }).toEqual({
      code: 0,
      summary: {
        files: 15,
        stored: 3,
        duplicate: 0,
        rejected: 0,
        unsent: 0,
        skipped: 12,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    expect(await blobsPerDevice(endpoint.inspector)).toMatchObject({
      'truck-a': 7,
      'truck-b': 4,
      'truck-r': 3,
    });

    // Third run: one file changed (sent again), and the journal ends in a torn line (a crash mid-write).
    writeFileSync(join(folder, 'truck-b/buffer/0001.json'), valid('truck-b', 100));
    appendFileSync(join(folder, JOURNAL), '{"time":"2026-11-25T08:00:00.000Z","device":"truck-a","pa');
    const third = await runBackfillCli(rerun);
    expect({ code: third.code, summary: summaryOf(third) }).toEqual({
      code: 0,
      summary: {
        files: 15,
        stored: 1,
        duplicate: 0,
        rejected: 0,
        unsent: 0,
        skipped: 14,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    expect(third.stderr).toMatch(/journal: ignored an incomplete last line \(\d+ bytes/);
    expect(await blobsPerDevice(endpoint.inspector)).toMatchObject({
      'truck-a': 7,
      'truck-b': 5,
      'truck-r': 3,
    });
    const text = readFileSync(join(folder, JOURNAL), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown),
    ).toHaveLength(15 + 3 + 1);

    // Keys never appear in output or in the journal.
    const seen = everything(folder, first.stdout, first.stderr, second.stdout, second.stderr, third.stdout);
    for (const key of Object.values(newKeys).concat(keys['truck-r']!))
      expect(seen.includes(key.split('~')[2]!)).toBe(false);
  }, 120_000);

  test('--device with --key-env, --idempotency-key path, --no-gzip, --delete-acknowledged', async () => {
    const folder = dir('one-device');
    const same = oilPayload('truck-p', { sequence: 1 });
    writeFolder(folder, {
      'a/1.json': same,
      'b/1.json': same, // same bytes, another name: with path keys, another file
      'c/big.json': bigPayload('truck-p'),
      'c/bad.json': oilPayload('truck-p', { readings: [] }),
    });
    const { 'truck-p': key } = await endpoint.addDevices(['truck-p']);
    const args = [folder, '--url', endpoint.url, '--device', 'truck-p', '--key-env', 'TRUCK_P_KEY'];
    const flags = ['--idempotency-key', 'path', '--no-gzip', '--delete-acknowledged', '--json'];
    const result = await runBackfillCli([...args, ...flags], { TRUCK_P_KEY: key! });
    expect({ code: result.code, summary: summaryOf(result) }).toEqual({
      code: 1, // one file rejected, nothing left unsent
      summary: {
        files: 4,
        stored: 3,
        duplicate: 0,
        rejected: 1,
        unsent: 0,
        skipped: 0,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    // Each file went under its own Idempotency-Key, <deviceId>/<path> ("/" escaped as ~2f in the table).
    const rowKeys = (await endpoint.inspector.entities('truck-p')).map((e) => e.rowKey).sort();
    expect(rowKeys).toEqual(['truck-p~2fa~2f1.json', 'truck-p~2fb~2f1.json', 'truck-p~2fc~2fbig.json']);
    const journal = readJournal(join(folder, JOURNAL));
    const bigBlob = await endpoint.inspector.blob(journal.find((l) => l.path === 'c/big.json')!.blob!);
    expect(bigBlob.metadata.receivedencoding).toBe('identity');
    // Acknowledged originals are deleted; the rejected one stays (no --quarantine) and is listed.
    expect(
      readdirSync(folder, { recursive: true })
        .filter((p) => String(p).endsWith('.json'))
        .sort(),
    ).toEqual(['c/bad.json']);
    expect(result.stdout).toMatch(/Rejected \(left in place\):\n {2}c\/bad\.json {2}schema_validation: /);
    expect(`${result.stdout}${result.stderr}`).not.toContain(key!.split('~')[2]);
  }, 60_000);

  test('--dry-run checks each file is UTF-8 JSON, lists what would be sent, and sends nothing', async () => {
    const folder = writeFolder(dir('dry'), {
      'truck-d/1.json': oilPayload('truck-d'),
      'truck-d/2.json': Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      'truck-d/3.json': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]),
      'truck-d/4.json': '',
      'stray.json': '{}',
    });
    const result = await runBackfillCli([folder, '--dry-run', '--json']);
    expect({ code: result.code, summary: summaryOf(result) }).toEqual({
      code: 1,
      summary: {
        files: 5,
        stored: 0,
        duplicate: 0,
        rejected: 4,
        unsent: 1,
        skipped: 0,
        unjournaled: 0,
        stoppedEarly: null,
        dryRun: true,
      },
    });
    expect(result.stdout).toMatch(/^would send {2}truck-d\/1\.json {2}\d+ B/m);
    expect(result.stdout).toMatch(/^invalid {5}truck-d\/2\.json {2}invalid_utf8: /m);
    expect(result.stdout).toMatch(/^invalid {5}truck-d\/3\.json {2}invalid_json: .*byte-order mark/m);
    expect(result.stdout).toMatch(/^invalid {5}truck-d\/4\.json {2}empty_body: /m);
    // One line per file, in path order.
    expect(
      result.stdout
        .split('\n')
        .filter((l) => /^(would send|invalid) /.test(l))
        .map((l) => l.split(/ +/)[l.startsWith('invalid') ? 1 : 2]),
    ).toEqual(['stray.json', 'truck-d/1.json', 'truck-d/2.json', 'truck-d/3.json', 'truck-d/4.json']);
    expect(result.stdout).toMatch(/^invalid {5}stray\.json {2}no_device_folder: /m);
    expect(existsSync(join(folder, JOURNAL))).toBe(false);
    expect((await blobsPerDevice(endpoint.inspector))['truck-d']).toBeUndefined();
  }, 30_000);

  test('https with a private CA: refused without --ca (stops at once, nothing quarantined), stored with it', async () => {
    const folder = writeFolder(dir('tls'), { 'truck-t/1.json': oilPayload('truck-t') });
    const keysFile = writeKeys(work, await endpoint.addDevices(['truck-t']), 'tls-keys.json');
    const args = [folder, '--url', endpoint.httpsUrl!, '--keys', keysFile, '--json'];
    const untrusted = await runBackfillCli([...args, '--quarantine', dir('tls-q')]);
    expect({ code: untrusted.code, summary: summaryOf(untrusted) }).toMatchObject({
      code: 2,
      summary: { unsent: 1 },
    });
    expect(untrusted.stdout).toMatch(/Stopped: TLS with 127\.0\.0\.1:\d+ failed \(\w+\).*pass --ca <file>/);
    expect(existsSync(dir('tls-q'))).toBe(false);
    const trusted = await runBackfillCli([...args, '--ca', endpoint.caFile!]);
    expect({ code: trusted.code, summary: summaryOf(trusted) }).toMatchObject({
      code: 0,
      summary: { stored: 1 },
    });
  }, 30_000);

  test('a wrong --url (404) stops the run: files stay, nothing is quarantined', async () => {
    const folder = writeFolder(dir('wrong-url'), {
      'truck-w/1.json': oilPayload('truck-w'),
      'truck-w/2.json': oilPayload('truck-w', { sequence: 2 }),
    });
    const keysFile = writeKeys(work, await endpoint.addDevices(['truck-w']), 'w-keys.json');
    const result = await runBackfillCli([
      folder,
      '--url',
      `${endpoint.url}/telemetry`,
      '--keys',
      keysFile,
      '--quarantine',
      dir('wrong-url-q'),
      '--json',
    ]);
    expect({ code: result.code, summary: summaryOf(result) }).toMatchObject({
      code: 2,
      summary: { files: 2, rejected: 0, unsent: 2 },
    });
    expect(result.stdout).toMatch(
      /Stopped: POST http:\/\/127\.0\.0\.1:\d+\/telemetry\/api\/ingest\/truck-w answered 404: check --url/,
    );
    expect(existsSync(dir('wrong-url-q'))).toBe(false);
    expect(readdirSync(join(folder, 'truck-w')).sort()).toEqual(['1.json', '2.json']);
  }, 30_000);

  test('a journal that cannot be written after a 200: the run stops, exits 2 and says so; the file stays for the rerun', async () => {
    const folder = writeFolder(dir('full-disk'), { 'truck-j/1.json': oilPayload('truck-j') });
    const keysFile = writeKeys(work, await endpoint.addDevices(['truck-j']), 'j-keys.json');
    const args = [folder, '--url', endpoint.url, '--keys', keysFile, '--delete-acknowledged', '--json'];
    // The journal's disk is full from its first append on.
    const full = await runBackfillCli(args, {
      NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'backfill', 'fullDisk.cjs')}`,
      FULL_DISK_PATH: join(folder, JOURNAL),
      FULL_DISK_AFTER: '0',
    });
    expect({ code: full.code, summary: summaryOf(full) }).toEqual({
      code: 2,
      summary: {
        files: 1,
        stored: 1,
        duplicate: 0,
        rejected: 0,
        unsent: 0,
        skipped: 0,
        unjournaled: 1,
        stoppedEarly: expect.stringMatching(/^cannot write the journal .*: ENOSPC$/),
      },
    });
    expect(full.stdout).toMatch(/^Stopped: cannot write the journal/m);
    expect(full.stdout).toMatch(/1 file\(s\) acknowledged but not journaled: kept in place/);
    expect(full.stdout).not.toMatch(/All 1 file\(s\) acknowledged/);
    // Nothing records the 200, so the original is not deleted.
    expect(readdirSync(join(folder, 'truck-j'))).toEqual(['1.json']);

    const rerun = await runBackfillCli(args);
    expect({ code: rerun.code, summary: summaryOf(rerun) }).toMatchObject({
      code: 0,
      summary: { files: 1, duplicate: 1, unjournaled: 0, stoppedEarly: null },
    });
    expect(readdirSync(join(folder, 'truck-j'))).toEqual([]);
  }, 30_000);

  test('a device missing from keys.json is left unsent and said once; the others are sent', async () => {
    const folder = writeFolder(dir('no-key'), {
      'truck-n1/1.json': oilPayload('truck-n1'),
      'truck-n2/1.json': oilPayload('truck-n2'),
      'truck-n2/2.json': oilPayload('truck-n2', { sequence: 2 }),
    });
    const keysFile = writeKeys(work, await endpoint.addDevices(['truck-n1']), 'n-keys.json');
    const result = await runBackfillCli([folder, '--url', endpoint.url, '--keys', keysFile, '--json']);
    expect({ code: result.code, summary: summaryOf(result) }).toEqual({
      code: 2,
      summary: {
        files: 3,
        stored: 1,
        duplicate: 0,
        rejected: 0,
        unsent: 2,
        skipped: 0,
        unjournaled: 0,
        stoppedEarly: null,
      },
    });
    expect(result.stderr.match(/truck-n2: no key in .*n-keys\.json; its files are not sent\./g)).toHaveLength(
      1,
    );
    expect(result.stdout).toMatch(/^truck-n2 +2 +0 +0 +0 +0 +2 +unsent: no key 2$/m);
  }, 30_000);

  testWithScript(
    'on a terminal: a progress bar with files, bytes, files/s, ETA and the counts',
    async () => {
      const folder = writeFolder(dir('tty'), {
        'truck-y/1.json': oilPayload('truck-y', { sequence: 1 }),
        'truck-y/2.json': oilPayload('truck-y', { sequence: 2 }),
        'truck-y/3.json': oilPayload('truck-y', { sequence: 3 }),
        'truck-z/1.json': oilPayload('truck-z'),
      });
      const keysFile = writeKeys(work, await endpoint.addDevices(['truck-y']), 'y-keys.json');
      const command = [
        'node',
        '--import',
        'tsx',
        'scripts/ops/cli.ts',
        'backfill',
        folder,
        '--url',
        endpoint.url,
        '--keys',
        keysFile,
      ];
      // script(1) gives the CLI a pseudo-terminal for stdout and stderr, 200 columns wide.
      // -e: script exits with the CLI's code, 2 here (truck-z has no key), which execFile reports as an error.
      const { code, stdout } = await run(
        'script',
        ['-qec', `stty cols 200; ${command.join(' ')}`, '/dev/null'],
        {
          cwd: ROOT,
          env: process.env,
        },
      ).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
      );
      expect(code).toBe(2);
      expect(stdout).toMatch(
        /█+░* 3\/4 files \| 0\.0 MiB \| [\d.]+ files\/s \| ETA 0s \| stored 3 dup 0 skip 0 rej 0 unsent 1/,
      );
      // Notices are printed above the bar, not lost under it.
      expect(stdout).toContain('truck-z: no key in ');
      expect(stdout).toContain('1 file(s) left unsent');
    },
    30_000,
  );

  test('--help, and bad usage that says what to fix and exits 64 before anything is sent', async () => {
    const help = await runBackfillCli(['--help']);
    expect(help.code).toBe(0);
    for (const option of [
      '--url',
      '--keys',
      '--device',
      '--key-env',
      '--concurrency',
      '--timeout-ms',
      '--max-attempts',
      '--gzip',
      '--no-gzip',
      '--idempotency-key',
      '--journal',
      '--quarantine',
      '--delete-acknowledged',
      '--dry-run',
      '--ca',
      '--json',
      '--quiet',
    ])
      expect(help.stdout).toContain(`  ${option}`);
    expect(help.stdout).toMatch(/\nExit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}64 {2}bad usage/);
    // The package's bin runs the same subcommand.
    const viaBin = await run(process.execPath, [join(ROOT, 'scripts/ops/bin.cjs'), 'backfill', '--help'], {
      cwd: ROOT,
    });
    expect(viaBin.stdout).toBe(help.stdout);

    const folder = writeFolder(dir('usage'), { 'truck-u/1.json': oilPayload('truck-u') });
    const brokenKeys = join(work, 'broken-keys.json');
    writeFileSync(brokenKeys, '{"truck-u": "truck-u~0badc0de~SECRETSECRETSECRET",}');
    const keys = writeKeys(work, { 'truck-u': 'truck-u~00000000~x' }, 'usage-keys.json');
    const cases: Array<[string[], RegExp]> = [
      [[], /missing required argument 'folder'/],
      [
        [join(work, 'no-such-folder'), '--url', endpoint.url, '--keys', keys],
        /The folder .*no-such-folder does not exist/,
      ],
      [
        [folder, '--url', endpoint.url, '--keys', join(work, 'missing.json')],
        /Cannot read the keys file .*missing\.json: ENOENT/,
      ],
      [
        [folder, '--url', endpoint.url, '--keys', brokenKeys],
        /The keys file .*broken-keys\.json is not valid JSON/,
      ],
      [[folder, '--url', 'not a url', '--keys', keys], /--url "not a url" is not a URL/],
      [[folder, '--url', 'ftp://127.0.0.1', '--keys', keys], /--url must be http:\/\/ or https:\/\//],
      [[folder, '--url', `${endpoint.url}/api/ingest`, '--keys', keys], /--url is the endpoint's base/],
      [[folder, '--keys', keys], /--url <baseUrl> is required/],
      [[folder, '--url', endpoint.url], /Device keys are required/],
      [[folder, '--url', endpoint.url, '--key-env', 'K'], /give that device with --device/],
      [
        [folder, '--url', endpoint.url, '--device', 'truck-u', '--key-env', 'UNSET_BACKFILL_KEY'],
        /UNSET_BACKFILL_KEY \(--key-env\) is not set/,
      ],
      [[folder, '--url', endpoint.url, '--device', '../x', '--key-env', 'K'], /device id must match/],
      [
        [folder, '--url', endpoint.url, '--keys', keys, '--concurrency', '0'],
        /--concurrency <n>.*Expected a whole number from 1/,
      ],
      [
        [folder, '--url', endpoint.url, '--keys', keys, '--idempotency-key', 'sha1'],
        /Allowed choices are hash, path/,
      ],
      [
        [folder, '--url', endpoint.url, '--keys', keys, '--ca', join(work, 'no-ca.pem')],
        /Cannot read the CA file/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runBackfillCli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 64 });
      expect({ args, stderr: result.stderr }).toEqual({ args, stderr: expect.stringMatching(message) });
      expect(result.stderr).not.toContain('SECRET');
    }
    expect(existsSync(join(folder, JOURNAL))).toBe(false);
  }, 120_000);
});
