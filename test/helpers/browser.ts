/**
 * A real headless browser for what a person looks at: Debian's chromium driven by playwright-core
 * (which downloads no browser of its own). Missing chromium fails under CI (.ci/run installs it)
 * and skips loudly elsewhere.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describeNeeding } from './ci';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const describeWithChromium = describeNeeding('Chromium', () =>
  existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install -y chromium)`,
);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // This machine's network is closed: without these, chromium's background fetches fail noisily.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
