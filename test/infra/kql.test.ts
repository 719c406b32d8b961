/**
 * Every KQL query the templates deploy (the log search alerts and the workbook), taken from the ARM
 * JSON the real Bicep CLI compiles, is parsed and semantically checked by Microsoft's Kusto language
 * service against the documented Application Insights schema (test/infra/kusto.ts): no syntax
 * error, no unknown table, column or function.
 *
 * Then the queries are held against what the code really writes: log lines made by the real handler
 * on Azurite (a stored file, a resend, a forged key, another device's key, a fast clock, a reset
 * clock) and by the sweep's formatter. Each line a query selects by its prefix exists; every field
 * its projection reads is in those lines with the type it converts to; every string a query compares
 * a column with (`outcome in (...)`, `clock == "ahead"`) is a value the code writes. A renamed field,
 * event or error code fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN_BICEP, REPO_ROOT, buildBicep } from '../../scripts/infra/bicepCli';
import { silenceLogLines, sweepLogLines } from '../../shared/sweep/sweepLog';
import { azuriteConnectionString } from '../helpers/azurite';
import { createTestApp, oilPayload } from '../helpers/testApp';
import { evaluate } from './armExpression';
import { bicepOrSkip, module, ofType, tempDir, type ArmTemplate } from './bicepHarness';
import { checkQuery } from './kusto';

const cli = bicepOrSkip();
const describeWithBicep = cli ? describe : describe.skip;

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T08:15:00Z');

interface DeployedQuery {
  where: string;
  query: string;
}

/** The alert rules' queries, evaluated as ARM would with the module's default parameters. */
function alertQueries(main: ArmTemplate): DeployedQuery[] {
  const { template } = module(main, 'alerts');
  return ofType(template, 'Microsoft.Insights/scheduledQueryRules').flatMap((rule) => {
    const { criteria } = rule.properties as { criteria: { allOf: Array<{ query: string }> } };
    const { displayName } = rule.properties as { displayName: string };
    return criteria.allOf.map((c) => ({
      where: `alert "${displayName}"`,
      query: String(evaluate(template, c.query, {})),
    }));
  });
}

/** The workbook's queries, from the variable its serializedData is the JSON of. */
function workbookQueries(main: ArmTemplate): DeployedQuery[] {
  const { template } = module(main, 'workbook');
  const [workbook] = ofType(template, 'Microsoft.Insights/workbooks');
  // What deploys is exactly this variable, serialized.
  expect((workbook!.properties as { serializedData: string }).serializedData).toBe(
    "[string(variables('workbook'))]",
  );
  const { items } = template.variables!.workbook as {
    items: Array<{ type: number; content: { query?: string; title?: string } }>;
  };
  return items
    .filter((item) => item.type === 3)
    .map((item) => ({
      where: `workbook "${item.content.title}"`,
      query: String(evaluate(template, item.content.query, {})),
    }));
}

/** The log lines the code writes, made by the real handler and the sweep's formatters. */
async function realLogLines(): Promise<string[]> {
  const now = { ms: T0 };
  const app = await createTestApp({}, azuriteConnectionString(), () => new Date(now.ms));
  const at = (ms: number) => new Date(ms).toISOString();
  const file = (deviceId: string, sentAt: number, readingAt = sentAt - 60_000) =>
    oilPayload(deviceId, {
      sentAt: at(sentAt),
      readings: [{ timestamp: at(readingAt), oilTemperatureC: 80 }],
    });
  expect((await app.post('truck-k1', file('truck-k1', T0 - 2 * HOUR))).status).toBe(200); // buffered 2 h
  expect((await app.post('truck-k1', file('truck-k1', T0 - 2 * HOUR))).status).toBe(200); // duplicate
  expect((await app.post('truck-k2', file('truck-k2', T0 + 3 * HOUR))).status).toBe(200); // clock ahead
  expect((await app.post('truck-k3', file('truck-k3', Date.UTC(1970, 0, 1, 1)))).status).toBe(200); // reset
  const forged = {
    authorization: 'Bearer truck-k1~0000000000000000~AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  };
  expect((await app.post('truck-k1', file('truck-k1', T0), forged)).status).toBe(401);
  const othersKey = { authorization: `Bearer ${await app.keyFor('truck-k2')}` };
  expect((await app.post('truck-k1', file('truck-k1', T0), othersKey)).status).toBe(403);
  now.ms = T0 + 3 * HOUR;
  const run = await app.runtime.sweep();
  expect(run.silent.length).toBeGreaterThan(0);
  // An orphan needs a failed blob write (test/integration/sweep.test.ts has one); its line comes from
  // the same formatter.
  const orphanRun = {
    ...run,
    orphaned: 1,
    devices: [{ deviceId: 'truck-k9', confirmed: 0, orphaned: 1, stillPending: 0, problems: [] }],
  };
  return [
    ...app.logs,
    ...sweepLogLines(run, 12),
    ...sweepLogLines(orphanRun, 3),
    ...silenceLogLines(run.silent),
  ];
}

describeWithBicep('the KQL of the alerts and the workbook', () => {
  let queries: DeployedQuery[];
  let lines: Array<Record<string, unknown> & { raw: string }>;

  beforeAll(async () => {
    const outFile = join(tempDir('kql'), 'main.json');
    const built = buildBicep(cli!, MAIN_BICEP, outFile);
    expect(built.status).toBe(0);
    const main = JSON.parse(readFileSync(outFile, 'utf8')) as ArmTemplate;
    queries = [...alertQueries(main), ...workbookQueries(main)];
    lines = (await realLogLines()).map((raw) => ({ ...(JSON.parse(raw) as Record<string, unknown>), raw }));
  }, 120_000);

  test('every alert listed in the issue is there, and the workbook', () => {
    expect(queries.filter((q) => q.where.startsWith('alert')).map((q) => q.where)).toEqual([
      'alert "Device silent"',
      'alert "Ingest 5xx ratio"',
      'alert "No file accepted (fleet silence)"',
      'alert "Burst of refused device keys"',
      'alert "Device clock ahead or reset"',
      'alert "Orphaned claims"',
      'alert "Sweep not running"',
    ]);
    expect(queries.filter((q) => q.where.startsWith('workbook')).length).toBeGreaterThanOrEqual(7);
  });

  test('every query parses and binds against the Application Insights schema, without an error', () => {
    for (const { where, query } of queries) {
      const errors = checkQuery(query).diagnostics.filter((d) => d.severity === 'Error');
      expect({ where, errors }).toEqual({ where, errors: [] });
    }
  });

  test("the language service's teeth: an unknown column, table or function is an error", () => {
    const [first] = queries;
    for (const broken of [
      `${first!.query}| where devic == "x"`,
      first!.query.replace('traces', 'trace'),
      `${first!.query}| extend x = parse_jsn(message)`,
    ])
      expect(checkQuery(broken).diagnostics.some((d) => d.severity === 'Error')).toBe(true);
  });

  test('each line a query selects by its prefix is written by the code, with every field it reads, typed as it converts', () => {
    const projections = queries.flatMap(({ where, query }) =>
      [
        ...query.matchAll(
          /message startswith '(\{"event":"[^"]+")'\n\| extend line = parse_json\(message\)\n\| project ([^\n]+)/g,
        ),
      ].map((m) => ({ where, prefix: m[1]!, projection: m[2]! })),
    );
    expect(new Set(projections.map((p) => p.prefix))).toEqual(
      new Set([
        '{"event":"ingest"',
        '{"event":"sweep"',
        '{"event":"sweep.device"',
        '{"event":"device.silent"',
      ]),
    );
    for (const { where, prefix, projection } of projections) {
      const selected = lines.filter((l) => l.raw.startsWith(prefix));
      expect({ where, prefix, selected: selected.length > 0 }).toEqual({ where, prefix, selected: true });
      for (const [, convert, field] of projection.matchAll(/= (to\w+)\(line\.(\w+)\)/g)) {
        const values = selected.map((l) => l[field!]).filter((v) => v !== undefined);
        const wanted = convert === 'tostring' || convert === 'todatetime' ? 'string' : 'number';
        expect({ where, field, written: values.length > 0 }).toEqual({ where, field, written: true });
        for (const value of values)
          expect({ where, field, type: typeof value }).toEqual({ where, field, type: wanted });
        if (convert === 'todatetime')
          for (const value of values) expect(Number.isNaN(Date.parse(String(value)))).toBe(false);
      }
    }
  });

  test('every value a query compares a column with is one the code writes in that field', () => {
    const ingest = lines.filter((l) => l.event === 'ingest');
    const written = (field: string) => new Set(ingest.map((l) => l[field]).filter((v) => v !== undefined));
    const checked: string[] = [];
    for (const { where, query } of queries) {
      for (const { column, values } of checkQuery(query).comparisons) {
        if (column === 'name') {
          // The host names the requests row after the function (functions/ingest.ts registers it).
          const source = readFileSync(join(REPO_ROOT, 'functions', 'ingest.ts'), 'utf8');
          for (const value of values) expect(source).toContain(`app.http('${value}'`);
          continue;
        }
        for (const value of values) {
          expect({ where, column, value, written: written(column).has(value) }).toEqual({
            where,
            column,
            value,
            written: true,
          });
          checked.push(`${column}=${value}`);
        }
      }
    }
    expect(new Set(checked)).toEqual(
      new Set([
        'outcome=invalid_credentials',
        'outcome=forbidden',
        'outcome=stored',
        'clock=ahead',
        'clock=reset',
      ]),
    );
  });
});
