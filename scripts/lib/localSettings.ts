import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repoRoot';

const root = REPO_ROOT;

/**
 * Applies local.settings.json "Values" to process.env as `func start` does (real environment
 * variables win). The file is created from local.settings.example.json on first use.
 */
export function applyLocalSettings(): string {
  const file = join(root, 'local.settings.json');
  if (!existsSync(file)) copyFileSync(join(root, 'local.settings.example.json'), file);
  const { Values = {} } = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> };
  for (const [name, value] of Object.entries(Values)) process.env[name] ??= String(value);
  return file;
}

export function hostRoutePrefix(): string {
  const host = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return host.extensions?.http?.routePrefix ?? 'api';
}

export function functionAppMain(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  return join(root, pkg.main);
}
