/**
 * `telemetry-ops silent` (`npm run ops -- silent`): the devices the silence alert would name, from
 * Table Storage alone, so it works on Azurite too. It runs the sweep first (as the timer does), so
 * a file received a second ago counts, then judges every device row by the alert's rule
 * (shared/silence.ts). Like `sweep`, it writes the ledger: it needs write access to the data account.
 */
import { Command } from 'commander';
import type { SilentDevice } from '../../shared/silence';
import { sweepOver } from '../../shared/sweep/sweepOver';
import { accountOption } from './args';
import { EXIT, withExitCodes } from './exitCodes';
import { openStorage } from './storageTarget';

interface SilentOptions {
  json?: boolean;
  account?: string;
}

export interface SilentSettings {
  /** The clock silence is judged on (tests move it). */
  now?: () => Date;
}

export function silentCommand(settings: SilentSettings = {}): Command {
  const command = new Command('silent')
    .description(
      'Devices that sent within the last 7 days but nothing for longer than their expected interval (the silence alert).',
    )
    .option(
      '--json',
      'print {"silent":[{"deviceId","lastFileAt","silentForSeconds","expectEverySeconds"}]} as the last line',
    )
    .addOption(accountOption())
    .action(async (options: SilentOptions) => {
      process.exitCode = await silent(options, settings);
    });
  return withExitCodes(command, {
    ok: 'no device is silent',
    failed: 'some device is silent (listed), or storage failed',
  });
}

async function silent(options: SilentOptions, { now }: SilentSettings): Promise<number> {
  const { config, clients, where } = await openStorage(options.account);
  const run = await sweepOver(clients, {
    storageTimeoutMs: config.storageTimeoutMs,
    orphanAfterMs: config.sweepOrphanAfterMs,
    now,
  });
  printSilent(run.silent, where);
  if (options.json) console.log(JSON.stringify({ silent: run.silent }));
  return run.silent.length > 0 ? EXIT.failed : EXIT.ok;
}

function printSilent(silent: SilentDevice[], where: string): void {
  if (silent.length === 0) {
    console.log(`No silent device in ${where}.`);
    return;
  }
  console.log(`${silent.length} silent device(s) in ${where}:`);
  for (const d of silent)
    console.log(
      `  ${d.deviceId}: nothing for ${humanSeconds(d.silentForSeconds)} (expected every ${humanSeconds(d.expectEverySeconds)}), last file ${d.lastFileAt}`,
    );
}

/** `2 h 5 min`, `45 min`, `3 d 4 h`: whole minutes are enough for silence. */
function humanSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor(minutes / 60) % 24, minutes % 60];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min`;
}
