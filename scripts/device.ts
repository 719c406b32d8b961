/**
 * `npm run device -- <command> <deviceId> [options]`: manage devices and their keys.
 *
 *   add <id> [--model M]        register a device; prints its key ONCE
 *   list                        all devices with model, state and keys
 *   show <id>                   one device and its keys (ids, dates; never the keys)
 *   rotate <id> [--grace 24h]   new key (printed once); the old ones stop after the grace period
 *   disable <id> | enable <id>  refuse or re-admit the device (effective within DEVICE_CACHE_TTL_SECONDS)
 *   remove <id>                 delete the device and its keys (its stored files stay)
 *
 * Storage: Azurite from local.settings.json by default; `--account NAME` (or DATA_STORAGE_ACCOUNT_NAME)
 * for a real account, signing in with DefaultAzureCredential (`az login`), no keys.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config';
import { describeError } from '../shared/errors';
import { createStorageClients, ensureStorageResources } from '../shared/storage/clients';
import { TableDeviceRegistry } from '../shared/storage/tableDeviceRegistry';
import { deviceModelMapFor, modelForDevice } from '../shared/validation/deviceModels';
import { parseDeviceId } from '../shared/deviceId';
import {
  UsageError,
  addDevice,
  checkModel,
  existing,
  knownModels,
  parseDuration,
  rotateKey,
} from './deviceAdmin';
import { applyLocalSettings } from './localSettings';

const USAGE =
  'usage: npm run device -- add|list|show|rotate|disable|enable|remove <deviceId> [--model M] [--grace 24h] [--account NAME]';

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      grace: { type: 'string' },
      account: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, rawId] = positionals;
  if (values.help || !command) throw new UsageError(USAGE);

  if (values.account) process.env.DATA_STORAGE_ACCOUNT_NAME = values.account;
  const inAzure = Boolean(
    process.env.DATA_STORAGE_ACCOUNT_NAME && !process.env.DATA_STORAGE_CONNECTION_STRING,
  );
  if (!inAzure) applyLocalSettings();
  const config = loadConfig();
  const clients = createStorageClients(config);
  // Azurite starts empty; in Azure the Bicep templates create the table.
  if (!inAzure) await ensureStorageResources(clients);
  const registry = new TableDeviceRegistry(clients.devicesTable, config.storageTimeoutMs);
  const where = inAzure ? `account ${process.env.DATA_STORAGE_ACCOUNT_NAME}` : 'local storage (Azurite)';

  if (command === 'list') {
    const devices = await registry.list();
    if (devices.length === 0) console.log(`No devices in ${where}.`);
    for (const d of devices) {
      const active = d.keys.filter((k) => !k.expiresAt || Date.parse(k.expiresAt) > Date.now()).length;
      console.log(
        `${d.deviceId}\tmodel=${d.model ?? '(device map)'}\t${d.disabled ? 'DISABLED' : 'enabled'}\tkeys=${active}`,
      );
    }
    return;
  }

  if (!rawId) throw new UsageError(`${command} needs a device id. ${USAGE}`);
  const deviceId = parseDeviceId(rawId);
  switch (command) {
    case 'add': {
      // Without --model, the same map the app would use (DEVICE_MODELS or the bundled file).
      const fallback = modelForDevice(
        deviceModelMapFor(new Set(knownModels()), config.deviceModelsOverride),
        deviceId,
      );
      const model = checkModel(values.model ?? fallback);
      const token = await addDevice(registry, deviceId, model);
      console.log(`Added ${deviceId} (model ${model}) in ${where}.`);
      printKey(token);
      return;
    }
    case 'show': {
      const d = await existing(registry, deviceId);
      console.log(
        `${d.deviceId}: model=${d.model ?? '(device map)'}, ${d.disabled ? 'DISABLED' : 'enabled'}, created ${d.createdAt}`,
      );
      for (const k of d.keys) {
        const state = k.expiresAt
          ? Date.parse(k.expiresAt) > Date.now()
            ? `expires ${k.expiresAt}`
            : 'expired'
          : 'active';
        console.log(
          `  key ${k.keyId}: ${state}, created ${k.createdAt}, last used ${k.lastUsedAt ?? 'never'}${k.label ? ` (${k.label})` : ''}`,
        );
      }
      return;
    }
    case 'rotate': {
      const graceMs = parseDuration(values.grace ?? '24h');
      const { token, expiring } = await rotateKey(registry, deviceId, graceMs);
      console.log(
        `New key for ${deviceId}. Old keys (${expiring.map((k) => k.keyId).join(', ') || 'none'}) stop at ${new Date(Date.now() + graceMs).toISOString()}.`,
      );
      printKey(token);
      return;
    }
    case 'disable':
    case 'enable':
      await registry.setDisabled(deviceId, command === 'disable');
      console.log(
        `${deviceId} ${command}d; running instances notice within DEVICE_CACHE_TTL_SECONDS (default 60 s).`,
      );
      return;
    case 'remove':
      await registry.remove(deviceId);
      console.log(`Removed ${deviceId} and its keys. Its files in the raw container are kept.`);
      return;
    default:
      throw new UsageError(`Unknown command "${command}". ${USAGE}`);
  }
}

function printKey(token: string): void {
  console.log(`\nDevice key (shown once; store it on the gateway now):\n\n  ${token}\n`);
  console.log('Send it as:  Authorization: Bearer <key>   (or x-device-key: <key>)');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // An operator's tool: the full message helps (sign-in problems, missing table); keys are never in it.
  console.error(`device: ${err instanceof Error ? err.message : describeError(err)}`);
  process.exit(1);
});
