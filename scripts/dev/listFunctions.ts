/**
 * Prints the functions the bundle registers, as the Functions host would index them:
 * `npx tsx scripts/dev/listFunctions.ts [path/to/main.js]`.
 */
import { applyLocalSettings, functionAppMain } from '../lib/localSettings';
import { httpFunctionsOf, loadFunctionApp } from './loadFunctionApp';

applyLocalSettings();
const app = loadFunctionApp(process.argv[2] ?? functionAppMain());
const functions = httpFunctionsOf(app.functions);
console.log(
  JSON.stringify({
    httpStream: app.httpStream,
    functions: functions.map(({ name, methods, route, authLevel }) => ({ name, methods, route, authLevel })),
  }),
);
