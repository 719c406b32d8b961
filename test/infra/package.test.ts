/**
 * scripts/package.ts: the deployable zip holds dist/, host.json and a dependency-free package.json,
 * and the staging folder azd deploys holds the same files. Runs on a fake project in a temp dir.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Entry, type ZipFile } from 'yauzl';
import { createPackage, deployManifest } from '../../scripts/build/package';
import { tempDir } from './bicepHarness';

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    open(path, { lazyEntries: true }, (err, zip?: ZipFile) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function fakeProject(): string {
  const root = tempDir('package-project');
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: 'telemetry-ingest',
      version: '1.2.3',
      main: 'dist/main.js',
      engines: { node: '>=20' },
      scripts: { build: 'tsx scripts/bundle.ts' },
      dependencies: { '@azure/functions': '^4.0.0' },
      devDependencies: { jest: '^30.0.0' },
    }),
  );
  writeFileSync(join(root, 'host.json'), '{ "version": "2.0" }\n');
  mkdirSync(join(root, 'dist', 'infra'), { recursive: true });
  writeFileSync(join(root, 'dist', 'main.js'), 'module.exports = {};\n');
  writeFileSync(join(root, 'dist', 'main.js.map'), '{}\n');
  writeFileSync(join(root, 'dist', 'infra', 'main.json'), '{}\n');
  mkdirSync(join(root, 'functions'));
  writeFileSync(join(root, 'functions', 'ingest.ts'), '// source, not shipped\n');
  mkdirSync(join(root, 'node_modules', 'ajv'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'ajv', 'index.js'), '');
  return root;
}

describe('scripts/package.ts', () => {
  it('zips exactly dist/ (minus dist/infra), host.json and package.json', async () => {
    const root = fakeProject();
    const result = await createPackage({ root, outDir: join(root, 'dist-package') });
    expect(result.zipPath).toBe(join(root, 'dist-package', 'api.zip'));
    expect(result.files).toEqual(['dist/main.js', 'dist/main.js.map', 'host.json', 'package.json']);

    const zip = await readZip(result.zipPath);
    expect([...zip.keys()].sort()).toEqual(result.files);
    expect(zip.get('dist/main.js')!.toString()).toBe('module.exports = {};\n');
    expect(zip.get('host.json')!.toString()).toBe('{ "version": "2.0" }\n');
  });

  it('ships a package.json with the entry point and no dependencies or scripts', async () => {
    const root = fakeProject();
    const result = await createPackage({ root, outDir: join(root, 'out') });
    const manifest = JSON.parse((await readZip(result.zipPath)).get('package.json')!.toString()) as Record<
      string,
      unknown
    >;
    expect(manifest).toEqual({
      name: 'telemetry-ingest',
      version: '1.2.3',
      private: true,
      main: 'dist/main.js',
      engines: { node: '>=20' },
    });
  });

  it('writes the same files to the staging folder azd deploys, and keeps it out of git', async () => {
    const root = fakeProject();
    const result = await createPackage({ root, outDir: join(root, 'dist-package') });
    expect(result.stagingDir).toBe(join(root, 'dist-package', 'api'));
    const zip = await readZip(result.zipPath);
    for (const [name, content] of zip) {
      expect(readFileSync(join(result.stagingDir, ...name.split('/')))).toEqual(content);
    }
    expect(existsSync(join(result.stagingDir, 'dist', 'infra'))).toBe(false);
    expect(readFileSync(join(root, 'dist-package', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('is reproducible byte for byte', async () => {
    const root = fakeProject();
    const a = await createPackage({ root, outDir: join(root, 'a') });
    const b = await createPackage({ root, outDir: join(root, 'b') });
    expect(readFileSync(a.zipPath)).toEqual(readFileSync(b.zipPath));
  });

  it('refuses to package before the build', async () => {
    const root = fakeProject();
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(root, 'package.json'), JSON.stringify({ ...manifest, main: 'dist/missing.js' }));
    await expect(createPackage({ root, outDir: join(root, 'out') })).rejects.toThrow(/npm run build/);
    expect(() => deployManifest({ name: 'x' })).toThrow(/main/);
  });
});

describe('azure.yaml', () => {
  const yaml = readFileSync(join(__dirname, '..', '..', 'azure.yaml'), 'utf8');

  it('deploys the api service from the staging folder scripts/package.ts fills', () => {
    expect(yaml).toMatch(/^services:\n {2}api:\n/m);
    expect(yaml).toMatch(/^ {4}project: \.$/m);
    expect(yaml).toMatch(/^ {4}language: ts$/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}dist: dist-package\/api$/m);
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml.match(/run: npm run package$/gm)).toHaveLength(2);
  });
});
