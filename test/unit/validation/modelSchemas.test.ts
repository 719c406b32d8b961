import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR, readModelSchemas } from '../../../shared/validation/modelSchemas';

describe('readModelSchemas', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'models-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

  test('reads every <model>.schema.json, in name order, and nothing else', () => {
    write('b-model.schema.json', '{"$id":"b-model","type":"object"}');
    write('a-model.schema.json', '{"$id":"a-model"}');
    write('notes.json', '{"$id":"notes"}');
    write('README.md', '# not a schema');

    expect(readModelSchemas(dir)).toEqual([
      { model: 'a-model', schema: { $id: 'a-model' } },
      { model: 'b-model', schema: { $id: 'b-model', type: 'object' } },
    ]);
  });

  test('a file that is not JSON fails naming the file', () => {
    write('broken.schema.json', '{"$id":');
    expect(() => readModelSchemas(dir)).toThrow(
      new RegExp(`^${join(dir, 'broken.schema.json')}: not valid JSON \\(`),
    );
  });

  test('a schema whose $id is not its file name fails naming both', () => {
    write('oil.schema.json', '{"$id":"oil-v2"}');
    expect(() => readModelSchemas(dir)).toThrow(
      `${join(dir, 'oil.schema.json')}: "$id" must be "oil", the file's model name`,
    );
  });

  test("by default reads the project's models", () => {
    expect(MODELS_DIR).toBe(join(__dirname, '..', '..', '..', 'shared', 'schemas', 'models'));
    expect(readModelSchemas().map((s) => s.model)).toEqual(['default', 'oil-condition-v1']);
  });
});
