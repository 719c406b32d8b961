/**
 * Loads a v4 programming-model app the way the Functions worker does, with the worker's
 * `@azure/functions-core` replaced by a stand-in that records each registration, so the real handlers
 * can be served (dev host) and inspected (tests).
 */
import Module from 'node:module';
import { functionsCoreStandIn } from '../lib/functionsCoreStandIn';

export interface HttpTriggerBinding {
  type: 'httpTrigger';
  methods?: string[];
  route?: string;
  authLevel?: string;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, { type: string; direction: string } & Record<string, unknown>>;
  handler: (...args: unknown[]) => unknown;
}

export interface RegisteredHttpFunction {
  name: string;
  methods: string[];
  route: string;
  authLevel: string;
  handler: (request: unknown, context: unknown) => unknown;
}

const CORE_MODULE = '@azure/functions-core';
const CORE_ID = '/virtual/@azure/functions-core.js';

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };

export interface LoadedFunctionApp {
  functions: RegisteredFunction[];
  /** The app called `app.setup({ enableHttpStream: true })`: the host hands it bodies as streams. */
  httpStream: boolean;
}

export function loadFunctionApp(mainPath: string): LoadedFunctionApp {
  const registered: RegisteredFunction[] = [];
  let httpStream = false;
  const core = functionsCoreStandIn(
    ({ metadata, handler }) => registered.push({ name: metadata.name, bindings: metadata.bindings, handler }),
    (_level, message) => (httpStream ||= message === 'HTTP streaming enabled.'),
  );

  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? CORE_ID : original.call(this, request, ...rest);
  };
  const fake = new Module(CORE_ID);
  fake.filename = CORE_ID;
  fake.loaded = true;
  fake.exports = core;
  require.cache[CORE_ID] = fake;
  try {
    // A CommonJS require, exactly as the worker loads package.json "main".
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(mainPath);
  } finally {
    moduleInternals._resolveFilename = original;
  }
  return { functions: registered, httpStream };
}

/** The HTTP-triggered functions, with the route defaulting to the function name as the host does. */
export function httpFunctionsOf(functions: RegisteredFunction[]): RegisteredHttpFunction[] {
  return functions.flatMap((fn) => {
    const trigger = Object.values(fn.bindings).find((b) => b.type === 'httpTrigger') as
      HttpTriggerBinding | undefined;
    if (!trigger) return [];
    return [
      {
        name: fn.name,
        methods: (trigger.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
        route: trigger.route ?? fn.name,
        // The v4 library's default (app.http without authLevel).
        authLevel: trigger.authLevel ?? 'anonymous',
        handler: fn.handler as RegisteredHttpFunction['handler'],
      },
    ];
  });
}
