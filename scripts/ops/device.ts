/**
 * `telemetry-ops device <command>` (`npm run device -- <command>`): register devices and manage their
 * keys in the devices table. Keys are printed once, at creation; only their hashes are stored.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  UnknownModelError,
  addDevice,
  checkModel,
  existing,
  knownModels,
  rotateKey,
} from '../../shared/auth/deviceAdmin';
import { isKeyActive } from '../../shared/auth/deviceRecord';
import { TableDeviceRegistry } from '../../shared/storage/tableDeviceRegistry';
import { deviceModelMapFor, modelForDevice } from '../../shared/validation/deviceModels';
import { accountOption, deviceIdArg, durationArg } from './args';
import { withExitCodes } from './exitCodes';
import { openStorage } from './storageTarget';

const DAY_MS = 86_400_000;

interface Target {
  registry: TableDeviceRegistry;
  deviceModelsOverride?: string;
  /** The deployment's key header (DEVICE_KEY_HEADER), for the hint printed with a new key. */
  deviceKeyHeader: string;
  where: string;
}

async function openRegistry(command: Command): Promise<Target> {
  const { account } = command.optsWithGlobals<{ account?: string }>();
  const { config, clients, where } = await openStorage(account);
  return {
    registry: new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs),
    deviceModelsOverride: config.deviceModelsOverride,
    deviceKeyHeader: config.deviceKeyHeader,
    where,
  };
}

/** Unknown models are the caller's typo: a usage error (exit 64), before any storage call. */
function modelArg(model: string): string {
  try {
    return checkModel(model);
  } catch (err) {
    throw err instanceof UnknownModelError ? new InvalidArgumentError(err.message) : err;
  }
}

function printKey(token: string, deviceKeyHeader: string): void {
  console.log(`\nDevice key (shown once; store it on the gateway now):\n\n  ${token}\n`);
  console.log(
    `Send it as:  Authorization: Bearer <key>   (or ${deviceKeyHeader}: <key>, or Basic with the device id as user name and the key as password)`,
  );
}

export function deviceCommand(): Command {
  const device = new Command('device')
    .description('Register devices and manage their keys (Azurite by default; --account for Azure).')
    .addOption(accountOption());
  const commands = [
    addCommand(),
    listCommand(),
    showCommand(),
    rotateCommand(),
    switchCommand('disable', true),
    switchCommand('enable', false),
    removeCommand(),
  ];
  for (const command of commands)
    device.addCommand(
      withExitCodes(command, {
        ok: 'done',
        failed: 'refused (the device exists already, or does not exist) or storage failed',
      }),
    );
  return device;
}

function addCommand(): Command {
  return new Command('add')
    .description('register a device and print its first key (once)')
    .argument('<deviceId>', 'e.g. truck-042', deviceIdArg)
    .option(
      '--model <model>',
      `payload model (${knownModels().join(', ')}); default: the device map`,
      modelArg,
    )
    .action(async (deviceId: string, options: { model?: string }, command: Command) => {
      const { registry, deviceModelsOverride, deviceKeyHeader, where } = await openRegistry(command);
      // Without --model, the same map the app would use (DEVICE_MODELS or the bundled file).
      const chosen =
        options.model ??
        modelForDevice(deviceModelMapFor(new Set(knownModels()), deviceModelsOverride), deviceId);
      const token = await addDevice(registry, deviceId, chosen);
      console.log(`Added ${deviceId} (model ${chosen}) in ${where}.`);
      printKey(token, deviceKeyHeader);
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('all devices with model, state and number of active keys (never the keys)')
    .action(async (_options: unknown, command: Command) => {
      const { registry, where } = await openRegistry(command);
      const devices = await registry.list();
      if (devices.length === 0) console.log(`No devices in ${where}.`);
      const now = new Date();
      for (const d of devices) {
        const active = d.keys.filter((k) => isKeyActive(k, now)).length;
        console.log(
          `${d.deviceId}\tmodel=${d.model ?? '(device map)'}\t${d.disabled ? 'DISABLED' : 'enabled'}\tkeys=${active}`,
        );
      }
    });
}

function showCommand(): Command {
  return new Command('show')
    .description('one device and its keys: ids, dates, last use (never the keys)')
    .argument('<deviceId>', 'the device', deviceIdArg)
    .action(async (deviceId: string, _options: unknown, command: Command) => {
      const { registry } = await openRegistry(command);
      const d = await existing(registry, deviceId);
      console.log(
        `${d.deviceId}: model=${d.model ?? '(device map)'}, ${d.disabled ? 'DISABLED' : 'enabled'}, created ${d.createdAt}`,
      );
      const now = new Date();
      for (const k of d.keys) {
        const state = !k.expiresAt ? 'active' : isKeyActive(k, now) ? `expires ${k.expiresAt}` : 'expired';
        console.log(
          `  key ${k.keyId}: ${state}, created ${k.createdAt}, last used ${k.lastUsedAt ?? 'never'}${k.label ? ` (${k.label})` : ''}`,
        );
      }
    });
}

function rotateCommand(): Command {
  return new Command('rotate')
    .description('add a new key (printed once); older keys stop after the grace period')
    .argument('<deviceId>', 'the device', deviceIdArg)
    .addOption(
      new Option('--grace <duration>', 'how long older keys keep working: 0, 90s, 30m, 24h, 7d')
        .argParser(durationArg)
        .default(DAY_MS, '24h'),
    )
    .action(async (deviceId: string, options: { grace: number }, command: Command) => {
      const { registry, deviceKeyHeader } = await openRegistry(command);
      const { token, expiring } = await rotateKey(registry, deviceId, options.grace);
      console.log(
        `New key for ${deviceId}. Old keys (${expiring.map((k) => k.keyId).join(', ') || 'none'}) stop at ${new Date(Date.now() + options.grace).toISOString()}.`,
      );
      printKey(token, deviceKeyHeader);
    });
}

/** `disable` / `enable`. */
function switchCommand(name: 'disable' | 'enable', disabled: boolean): Command {
  return new Command(name)
    .description(
      `${disabled ? 'refuse' : 're-admit'} the device (running instances notice within DEVICE_CACHE_TTL_SECONDS)`,
    )
    .argument('<deviceId>', 'the device', deviceIdArg)
    .action(async (deviceId: string, _options: unknown, command: Command) => {
      const { registry } = await openRegistry(command);
      await registry.setDisabled(deviceId, disabled);
      console.log(
        `${deviceId} ${name}d; running instances notice within DEVICE_CACHE_TTL_SECONDS (default 60 s).`,
      );
    });
}

function removeCommand(): Command {
  return new Command('remove')
    .description('delete the device and its keys (its stored files stay)')
    .argument('<deviceId>', 'the device', deviceIdArg)
    .action(async (deviceId: string, _options: unknown, command: Command) => {
      const { registry } = await openRegistry(command);
      await registry.remove(deviceId);
      console.log(`Removed ${deviceId} and its keys. Its files in the raw container are kept.`);
    });
}
