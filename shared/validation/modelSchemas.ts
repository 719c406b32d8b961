import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MODELS_DIR = join(__dirname, '..', 'schemas', 'models');

export interface ModelSchema {
  model: string;
  schema: Record<string, unknown>;
}

/** Reads `schemas/models/<model>.schema.json`; each schema's `$id` must be its model name. */
export function readModelSchemas(dir: string = MODELS_DIR): ModelSchema[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => {
      const model = file.slice(0, -'.schema.json'.length);
      const path = join(dir, file);
      let schema: Record<string, unknown>;
      try {
        schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
      }
      if (schema.$id !== model) throw new Error(`${path}: "$id" must be "${model}", the file's model name`);
      return { model, schema };
    });
}
