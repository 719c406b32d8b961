import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The README's tables must name every setting the code reads and every Bicep parameter. */
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const next = readme.slice(start + heading.length + 2).search(/\n#{2,3} /);
  return readme.slice(start, next < 0 ? undefined : start + heading.length + 2 + next);
}

test('the configuration table lists every setting shared/config.ts reads', () => {
  const source = readFileSync(join(root, 'shared', 'config.ts'), 'utf8');
  const read = new Set(
    [
      ...source.matchAll(/env(?:\.|\[')([A-Z][A-Z0-9_]+)/g),
      ...source.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g),
    ].map((m) => m[1]!),
  );
  read.delete('WEBSITE_SITE_NAME'); // set by the platform, not by users
  const table = section('## Configuration');
  expect(read.size).toBeGreaterThan(10);
  for (const setting of read)
    expect({ setting, documented: table.includes(`\`${setting}\``) }).toEqual({ setting, documented: true });
});

test('the parameters table lists every parameter of infra/main.bicep', () => {
  const bicep = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');
  const params = [...bicep.matchAll(/^param (\w+)/gm)].map((m) => m[1]!);
  const table = section('### Parameters (`infra/main.bicep`)');
  expect(params.length).toBeGreaterThan(5);
  for (const param of params)
    expect({ param, documented: table.includes(`\`${param}\``) }).toEqual({ param, documented: true });
});

test('the README opens with the two commands', () => {
  const blocks = [...readme.matchAll(/```sh\n([^`]*)```/g)].slice(0, 2).map((m) => m[1]!.trim());
  expect(blocks).toEqual(['npm install && npm start', 'npm test']);
});
