/**
 * Child of the cold-start measure: serves a function app entry the way scripts/dev/start.ts does
 * (loadFunctionApp + DevHost), but with the entry named by BENCH_APP_MAIN, so the bundle
 * (dist/main.js, what Azure loads) and the TypeScript entry (functions/main.ts, through tsx) start the
 * same way. start.ts always serves package.json "main" and does start-up work of its own (creating
 * tables, a demo device); neither belongs in this measure. Settings come from the environment only.
 * Prints "app ready" with the milliseconds the entry took to load.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { DevHost } from '../../../scripts/dev/devHost';
import { httpFunctionsOf, loadFunctionApp } from '../../../scripts/dev/loadFunctionApp';
import { hostRoutePrefix } from '../../../scripts/lib/localSettings';

type JsLoader = (module: { _compile(code: string, filename: string): void }, filename: string) => void;
const extensions = (Module as unknown as { _extensions: Record<string, JsLoader> })._extensions;

/**
 * The bundle is loaded as the Functions worker loads it, by plain node: tsx's `.js` hook (which
 * transforms the 3 MB file) and the source-map support tsx turns on (which reads the 6 MB map) are
 * set aside while it loads. Both cost more than loading the bundle itself.
 */
function loadAsPlainNode<T>(load: () => T): T {
  const tsxLoader = extensions['.js']!;
  extensions['.js'] = (module, filename) => module._compile(readFileSync(filename, 'utf8'), filename);
  process.setSourceMapsEnabled(false);
  try {
    return load();
  } finally {
    extensions['.js'] = tsxLoader;
  }
}

const main = process.env.BENCH_APP_MAIN!;
const started = performance.now();
const app = main.endsWith('.js') ? loadAsPlainNode(() => loadFunctionApp(main)) : loadFunctionApp(main);
const loadedMs = performance.now() - started;
const host = new DevHost({
  functions: httpFunctionsOf(app.functions),
  routePrefix: hostRoutePrefix(),
  httpStream: app.httpStream,
  log: () => undefined,
});
host.listen(Number(process.env.PORT), '127.0.0.1').then(
  () => console.log(`app ready, entry loaded in ${loadedMs.toFixed(1)} ms`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
