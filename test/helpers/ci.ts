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
