/** Bundles functions/main.ts and everything it imports into dist/main.js, the file the Functions host loads. */
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/repoRoot';

const root = REPO_ROOT;

build({
  entryPoints: [join(root, 'functions', 'main.ts')],
  outfile: join(root, 'dist', 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  // Provided by the Functions worker at run time (and by scripts/dev/loadFunctionApp.ts locally).
  external: ['@azure/functions-core'],
  // Some SDK packages ship ESM that reads import.meta.url; give the CommonJS bundle its own file URL.
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
})
  .then(() => console.log('bundle: dist/main.js'))
  .catch(() => process.exit(1));
