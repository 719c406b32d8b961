/**
 * Preloaded into a backfill CLI process (NODE_OPTIONS=--require) by the tests: the disk under the
 * file FULL_DISK_PATH fills up after FULL_DISK_AFTER appends, so writes to it fail with ENOSPC, as
 * a full or failing disk would answer. Every other file is untouched.
 */
// A CommonJS preload (NODE_OPTIONS=--require), so a require, not an import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs/promises');

const target = process.env.FULL_DISK_PATH;
const after = Number(process.env.FULL_DISK_AFTER ?? 0);
const realOpen = fs.open;
let appends = 0;

fs.open = async (path, ...rest) => {
  const handle = await realOpen(path, ...rest);
  if (String(path) !== target) return handle;
  const realAppend = handle.appendFile.bind(handle);
  handle.appendFile = async (...args) => {
    if (++appends > after) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
      });
    }
    return realAppend(...args);
  };
  return handle;
};
