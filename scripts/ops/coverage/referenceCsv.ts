/**
 * `coverage --reference <csv>`: the historian's export, streamed through csv-parse (a year of
 * per-minute readings for 50 trucks is 26 million rows; only the per-device, per-hour tally of the
 * range is kept), and `--reference-map <csv>` (`name,device`). The rows' meaning is
 * shared/coverage/referenceRows.ts. A row that cannot be read refuses the whole file, naming its
 * line (the first few bad lines, so one run shows what to fix): a comparison on half a file
 * would report hours as missing that the historian has.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import {
  type HourSpan,
  type ReferenceColumns,
  type ReferenceLayout,
  ReferenceRowError,
  ReferenceTally,
  readReferenceRow,
  referenceLayout,
} from '../../../shared/coverage';
import { isDeviceId } from '../../../shared/deviceId';
import { UsageError } from '../exitCodes';

const PROBLEMS_SHOWN = 10;

interface Line {
  record: string[];
  info: { lines: number };
}

/** Each record of a CSV file with its line number; the file's own faults as a UsageError. */
async function* linesOf(path: string, option: string): AsyncGenerator<Line> {
  // relax_column_count: a short row is the row's fault, reported with the others, not the file's.
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  // pipe() does not pass a read error on (a missing file): the parser would wait forever.
  const source = createReadStream(path).on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const line of parser) yield line as Line;
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw new UsageError(`${option} ${path}: ${code === 'ENOENT' ? 'no such file' : message}`);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** Collects bad rows, and refuses the file with the first few once it has been read to the end. */
class Problems {
  readonly lines: string[] = [];
  count = 0;
  constructor(
    private readonly option: string,
    private readonly path: string,
  ) {}

  add(line: number, err: unknown): void {
    if (!(err instanceof ReferenceRowError)) throw err;
    if (++this.count <= PROBLEMS_SHOWN) this.lines.push(`  line ${line}: ${err.message}`);
  }

  throwAny(): void {
    if (this.count === 0) return;
    const more = this.count > PROBLEMS_SHOWN ? [`  ... and ${this.count - PROBLEMS_SHOWN} more`] : [];
    throw new UsageError(
      [
        `${this.option} ${this.path}: ${this.count} row(s) cannot be read; nothing was compared.`,
        ...this.lines,
        ...more,
      ].join('\n'),
    );
  }
}

/** The historian's readings per device and hour of the span. */
export async function readReference(
  path: string,
  columns: ReferenceColumns,
  span: HourSpan,
  names?: ReadonlyMap<string, string>,
): Promise<ReferenceTally> {
  const tally = new ReferenceTally(span);
  const problems = new Problems('--reference', path);
  let layout: ReferenceLayout | undefined;
  for await (const { record, info } of linesOf(path, '--reference')) {
    try {
      if (layout) tally.add(readReferenceRow(layout, record, names));
      else layout = referenceLayout(record, columns);
    } catch (err) {
      problems.add(info.lines, err);
      if (!layout) break; // without a header, no row can be read
    }
  }
  problems.throwAny();
  if (!layout) throw new UsageError(`--reference ${path}: the file is empty; a header row is expected.`);
  return tally;
}

/** `name,device`: the historian's asset or tag names to device ids. */
export async function readReferenceMap(path: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const problems = new Problems('--reference-map', path);
  let columns: { name: number; device: number } | undefined;
  for await (const { record, info } of linesOf(path, '--reference-map')) {
    try {
      if (columns) addName(names, columns, record);
      else columns = mapColumns(record);
    } catch (err) {
      problems.add(info.lines, err);
      if (!columns) break;
    }
  }
  problems.throwAny();
  return names;
}

function mapColumns(header: string[]): { name: number; device: number } {
  const names = header.map((h) => h.trim().toLowerCase());
  const [name, device] = [names.indexOf('name'), names.indexOf('device')];
  if (name < 0 || device < 0)
    throw new ReferenceRowError(`the header (${header.join(',')}) must name the columns "name,device"`);
  return { name, device };
}

function addName(names: Map<string, string>, at: { name: number; device: number }, record: string[]): void {
  const [name, device] = [record[at.name]?.trim(), record[at.device]?.trim()];
  if (!name || device === undefined) throw new ReferenceRowError('a name and a device are expected');
  if (!isDeviceId(device)) throw new ReferenceRowError(`"${device}" is not a device id`);
  const known = names.get(name);
  if (known !== undefined && known !== device)
    throw new ReferenceRowError(`"${name}" is mapped to ${known} above and to ${device} here`);
  names.set(name, device);
}
