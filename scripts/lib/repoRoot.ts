import { resolve } from 'node:path';

/** The project's root folder, for scripts that read or write files there whatever the working directory. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
