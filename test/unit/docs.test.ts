import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The docs must keep up with the code: the configuration table names every setting the code reads,
 * the parameters table every Bicep parameter, the README opens with the two commands, and every
 * relative link in README.md and docs/*.md leads somewhere.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The text from `heading` up to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect({ heading, found: start > -1 }).toEqual({ heading, found: true });
  const level = /^#+/.exec(heading)![0].length;
  const rest = markdown.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return markdown.slice(start, next < 0 ? undefined : start + heading.length + 2 + next);
}

test('the configuration table lists every setting shared/config.ts reads', () => {
  const source = read('shared/config.ts');
  const settings = new Set(
    [
      ...source.matchAll(/env(?:\.|\[')([A-Z][A-Z0-9_]+)/g),
      ...source.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g),
    ].map((m) => m[1]!),
  );
  settings.delete('WEBSITE_SITE_NAME'); // set by the platform, not by users
  const table = section(read('docs/CONFIGURATION.md'), '## Settings');
  expect(settings.size).toBeGreaterThan(10);
  for (const setting of settings)
    expect({ setting, documented: table.includes(`\`${setting}\``) }).toEqual({ setting, documented: true });
});

test("the configuration table gives each integer setting's default as shared/config.ts has it", () => {
  const source = read('shared/config.ts');
  const table = section(read('docs/CONFIGURATION.md'), '## Settings');
  const defaults = [...source.matchAll(/integer\(env, '([A-Z][A-Z0-9_]+)', ([^,]+),/g)].map((m) => ({
    setting: m[1]!,
    // `10 * 1024 * 1024`, `10_000`: a product of integer literals.
    value: m[2]!.split('*').reduce((product, factor) => product * Number(factor.trim().replace(/_/g, '')), 1),
  }));
  expect(defaults.length).toBeGreaterThan(8);
  for (const { setting, value } of defaults) {
    const row = table.split('\n').find((line) => line.includes(`\`${setting}\``)) ?? '';
    // A row naming two settings lists their defaults in the same order.
    const names = [...row.split('|')[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]);
    const values = [...row.split('|')[2]!.matchAll(/`(\d+)`/g)].map((m) => Number(m[1]));
    expect({ setting, value: values[names.indexOf(setting)] }).toEqual({ setting, value });
  }
});

test('the parameters table lists every parameter of infra/main.bicep', () => {
  const params = [...read('infra/main.bicep').matchAll(/^param (\w+)/gm)].map((m) => m[1]!);
  const table = section(read('docs/DEPLOY.md'), '## Parameters (`infra/main.bicep`)');
  expect(params.length).toBeGreaterThan(5);
  for (const param of params)
    expect({ param, documented: table.includes(`\`${param}\``) }).toEqual({ param, documented: true });
});

test('the README opens with the two commands', () => {
  const blocks = [...read('README.md').matchAll(/```sh\n([^`]*)```/g)].slice(0, 2).map((m) => m[1]!.trim());
  expect(blocks).toEqual(['npm install && npm start', 'npm test']);
});

/** GitHub's heading anchors: lowercase, punctuation dropped (GitHub keeps `-` and `_`), spaces to `-`. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading keeps only its text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Markdown without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every anchor a Markdown file offers, duplicates numbered as GitHub does (`-1`, `-2`, ...). */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, text] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug(text!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const links = docs.flatMap((file) =>
  [...prose(read(file)).matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)) // http:, https:, mailto: ...
    .map((target) => ({ file, target })),
);

test('the docs have relative links to check', () => {
  expect(docs).toContain('docs/DELIVERY.md');
  expect(links.length).toBeGreaterThan(20);
});

test.each(links)('$file links to $target', ({ file, target }) => {
  const [path = '', anchor] = target.split('#') as [string, string | undefined];
  const resolved = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURI(path));
  const shown = relative(root, resolved) || '.';
  expect({ target, exists: existsSync(resolved), inside: !shown.startsWith('..') }).toEqual({
    target,
    exists: true,
    inside: true,
  });
  if (anchor !== undefined && resolved.endsWith('.md')) {
    const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
    expect({ target, heading: anchors.has(decodeURIComponent(anchor)) }).toEqual({ target, heading: true });
  }
});

test('the slug follows GitHub', () => {
  expect(slug('Parameters (`infra/main.bicep`)')).toBe('parameters-inframainbicep');
  expect(slug('Soak (`npm run soak`)')).toBe('soak-npm-run-soak');
  expect(slug('Idempotency: why nothing is lost or duplicated')).toBe(
    'idempotency-why-nothing-is-lost-or-duplicated',
  );
  expect(slug('HTTPS like the field: `npm run cert`')).toBe('https-like-the-field-npm-run-cert');
});
