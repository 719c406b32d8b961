/**
 * `@azure/functions` registers functions through `@azure/functions-core`, a module only the Functions
 * worker provides; without it the library drops into a noisy "test mode". This stand-in has the
 * worker's surface and hands each registration to `onRegister`. The dev host uses it to serve the real
 * handlers, jest to keep registrations quiet.
 */
export interface CoreRegistration {
  metadata: {
    name: string;
    bindings: Record<string, { type: string; direction: string } & Record<string, unknown>>;
  };
  handler: (...args: unknown[]) => unknown;
}

export function functionsCoreStandIn(
  onRegister: (registration: CoreRegistration) => void = () => undefined,
  /** The library's own system log (e.g. "HTTP streaming enabled."), which the worker would record. */
  onSystemLog: (level: string, message: string) => void = () => undefined,
) {
  return {
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    log: (level: string, category: string, message: string) => {
      if (category === 'system') onSystemLog(level, message);
    },
    registerFunction(metadata: CoreRegistration['metadata'], handler: CoreRegistration['handler']) {
      onRegister({ metadata, handler });
      return { dispose: () => undefined };
    },
  };
}
