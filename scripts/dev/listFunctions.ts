/**
 * Prints the functions the bundle registers, as the Functions host would index them:
 * `npx tsx scripts/dev/listFunctions.ts [path/to/main.js]`.
 */
import { applyLocalSettings, functionAppMain } from '../lib/localSettings';
import { httpFunctionsOf, loadFunctionApp } from './loadFunctionApp';

applyLocalSettings();
const functions = httpFunctionsOf(loadFunctionApp(process.argv[2] ?? functionAppMain()));
console.log(
  JSON.stringify(
    functions.map(({ name, methods, route, authLevel }) => ({ name, methods, route, authLevel })),
  ),
);
