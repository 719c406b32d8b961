import { httpFunctionsOf, type RegisteredFunction } from '../../scripts/dev/loadFunctionApp';

/** The dev host reads registrations the way the Functions host does, with the v4 library's defaults. */
describe('httpFunctionsOf', () => {
  const registration = (trigger: Record<string, unknown>): RegisteredFunction => ({
    name: 'probe',
    bindings: { httpTrigger1: { type: 'httpTrigger', direction: 'in', ...trigger } },
    handler: () => undefined,
  });

  test('without route, methods or authLevel: the function name, GET and POST, anonymous', () => {
    expect(httpFunctionsOf([registration({})])).toEqual([
      expect.objectContaining({
        name: 'probe',
        route: 'probe',
        methods: ['GET', 'POST'],
        authLevel: 'anonymous',
      }),
    ]);
  });

  test('what the registration says wins; methods are upper-cased; non-HTTP functions are left out', () => {
    const timer: RegisteredFunction = {
      name: 'tick',
      bindings: { t: { type: 'timerTrigger', direction: 'in' } },
      handler: () => undefined,
    };
    expect(
      httpFunctionsOf([registration({ route: 'x/{id}', methods: ['post'], authLevel: 'function' }), timer]),
    ).toEqual([expect.objectContaining({ route: 'x/{id}', methods: ['POST'], authLevel: 'function' })]);
  });
});
