#!/usr/bin/env node
// `npx telemetry-ops ...` (package.json "bin"): runs the TypeScript CLI through tsx, as the npm scripts do.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS shim: require is how it loads tsx */
require('tsx/cjs');
const { runOps } = require('./cli.ts');
runOps(process.argv.slice(2)).then((code) => process.exit(code));
