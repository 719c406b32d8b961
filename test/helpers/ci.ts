/**
 * The one CI check every test helper uses: `CI` set to anything but "", "false" or "0" (GitHub
 * Actions, Azure Pipelines and our .ci/run set "true"; some runners set "1"). Under CI a suite whose
 * real dependency is missing fails; elsewhere it is skipped with a loud notice.
 */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return !!ci && ci !== 'false' && ci !== '0';
}

/** Fails under CI; elsewhere prints a banner nobody can miss and lets the caller skip. */
export function failInCiOrWarn(what: string, reason: string): void {
  if (isCi()) throw new Error(`CI requires ${what}, and it is not available: ${reason}`);
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!! SKIPPING tests that need ${what}: ${reason}\n${bar}\n`);
}

/**
 * `describe` for suites that need `what`: `missing()` says why it is not there (undefined when it is).
 * A missing dependency fails under CI and skips loudly elsewhere; `base` is the describe to use when
 * it is there (e.g. describeWithAzurite, for a suite that needs both).
 */
export function describeNeeding(
  what: string,
  missing: () => string | undefined,
  base: jest.Describe = describe,
): jest.Describe {
  return ((name: string, fn: () => void) => {
    const reason = missing();
    if (reason === undefined) return base(name, fn);
    failInCiOrWarn(what, `"${name}": ${reason}`);
    return describe.skip(name, fn);
  }) as jest.Describe;
}

/** `test` for one test that needs `what`, with describeNeeding's rule. */
export function testNeeding(what: string, missing: () => string | undefined): jest.It {
  return ((name: string, fn: jest.ProvidesCallback, timeout?: number) => {
    const reason = missing();
    if (reason === undefined) return test(name, fn, timeout);
    failInCiOrWarn(what, `"${name}": ${reason}`);
    return test.skip(name, fn, timeout);
  }) as jest.It;
}
