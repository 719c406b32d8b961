import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEVICE_ID_PATTERN, isDeviceId } from '../../../shared/deviceId';
import type { FoundFile } from './types';

export interface WalkOptions {
  /** `--device`: every file under the folder is this device's; otherwise the first folder level names the device. */
  device?: string;
  /** Absolute paths not to enter or list (the quarantine folder when it lies inside the folder). */
  exclude?: readonly string[];
}

/** One device's files, in path order. */
export interface DeviceFiles {
  deviceId: string;
  files: AsyncGenerator<FoundFile>;
}

const DIRECTORY = 1;
const JSON_FILE = 2;

/**
 * One folder's entries worth visiting, sorted by name: sub-folders and `*.json` files. Names starting
 * with "." (the journal, editors' and gateways' temporary files) and symbolic links are left out.
 * Kept as bare names plus a byte each, so a flat buffer folder of 100,000 files costs a few MiB.
 */
async function listFolder(
  dir: string,
  exclude: ReadonlySet<string>,
): Promise<{ names: string[]; kinds: Uint8Array }> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (e) =>
      !e.name.startsWith('.') &&
      !exclude.has(join(dir, e.name)) &&
      (e.isDirectory() || (e.isFile() && e.name.toLowerCase().endsWith('.json'))),
  );
  // A folder sorts as its name + "/", so the walk yields relative paths in plain string order (`LC_ALL=C sort`).
  const key = (e: Dirent) => (e.isDirectory() ? `${e.name}/` : e.name);
  entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    names: entries.map((e) => e.name),
    kinds: Uint8Array.from(entries, (e) => (e.isDirectory() ? DIRECTORY : JSON_FILE)),
  };
}

/** Depth first, each folder's entries in name order: `segments` is the path of `dir` below the root. */
async function* filesUnder(
  dir: string,
  segments: string[],
  exclude: ReadonlySet<string>,
): AsyncGenerator<{ absolutePath: string; segments: string[] }> {
  const { names, kinds } = await listFolder(dir, exclude);
  for (let i = 0; i < names.length; i++) {
    const absolutePath = join(dir, names[i]!);
    const below = [...segments, names[i]!];
    if (kinds[i] === DIRECTORY) yield* filesUnder(absolutePath, below, exclude);
    else yield { absolutePath, segments: below };
  }
}

/**
 * The folder as one stream of files per device, devices in path order; each device's files in path
 * order, which is also its gateway's buffer order. With `--device` the whole folder is one device;
 * otherwise each first-level folder is a device, and a `*.json` directly in the folder (or in a folder
 * whose name is no device id) is reported with a `problem` instead of being sent. Streams: only the
 * folders on the current path of each open device are held, so a big folder starts at once.
 */
export async function* deviceStreams(root: string, options: WalkOptions = {}): AsyncGenerator<DeviceFiles> {
  const top = resolve(root);
  const exclude = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const device = options.device;
  if (device !== undefined) {
    yield {
      deviceId: device,
      files: (async function* () {
        for await (const { absolutePath, segments } of filesUnder(top, [], exclude)) {
          const path = segments.join('/');
          yield { deviceId: device, path, devicePath: path, absolutePath };
        }
      })(),
    };
    return;
  }
  const { names, kinds } = await listFolder(top, exclude);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const absolutePath = join(top, name);
    if (kinds[i] === JSON_FILE) {
      yield { deviceId: '(none)', files: single(notInDeviceFolder(name, absolutePath)) };
      continue;
    }
    const problem = isDeviceId(name)
      ? undefined
      : {
          error: 'invalid_device_id',
          message: `The device folder "${name}" is not a device id (^${DEVICE_ID_PATTERN}$).`,
        };
    yield {
      deviceId: name,
      files: (async function* () {
        for await (const file of filesUnder(absolutePath, [], exclude)) {
          const devicePath = file.segments.join('/');
          yield {
            deviceId: name,
            path: `${name}/${devicePath}`,
            devicePath,
            absolutePath: file.absolutePath,
            problem,
          };
        }
      })(),
    };
  }
}

/** Every file under the folder in path order (devices one after the other). */
export async function* walkFiles(root: string, options: WalkOptions = {}): AsyncGenerator<FoundFile> {
  for await (const device of deviceStreams(root, options)) yield* device.files;
}

function notInDeviceFolder(name: string, absolutePath: string): FoundFile {
  return {
    deviceId: '(none)',
    path: name,
    devicePath: name,
    absolutePath,
    problem: {
      error: 'no_device_folder',
      message:
        'The file is not inside a device folder (<folder>/<deviceId>/...); use --device for a flat folder.',
    },
  };
}

async function* single(file: FoundFile): AsyncGenerator<FoundFile> {
  yield file;
}
