/**
 * Runs the real Bicep linter: infra/ must produce zero diagnostics (warnings included), and the
 * project's bicepconfig.json must actually turn the security rules into errors. The API versions
 * must be the newest that the Bicep CLI installed by azd knows (so `azd provision` compiles without
 * warnings), and the date until which the pinned CLI's date-based use-recent-api-versions rule stays
 * quiet about them is pinned down, so that date is known instead of discovered.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  INFRA_DIR,
  bicepFilesIn,
  buildBicep,
  formatDiagnostic,
  lintAll,
  lintBicep,
  parseDiagnostics,
  type BicepDiagnostic,
} from '../../scripts/infra/bicepCli';
import { bicepOrSkip, tempDir } from './bicepHarness';

const cli = bicepOrSkip();
const describeWithBicep = cli ? describe : describe.skip;

const CONFIG = join(INFRA_DIR, 'bicepconfig.json');

/**
 * The Bicep CLI azd installs and uses: `Version` in Azure/azure-dev cli/azd/pkg/tools/bicep/bicep.go,
 * 0.45.15 in azd 1.29.0 to 1.31.2. NuGet does not serve Azure.Bicep.CommandLine.* 0.45.15 here, so
 * the tests pin a newer CLI (infra/tools/bicep-cli.csproj) and check the API versions against this
 * table: per resource type, the newest stable version in Azure.Bicep.Types.Az 0.2.881, the types
 * package Bicep 0.45.15 bundles (src/Directory.Packages.props at tag v0.45.15 of Azure/bicep; the
 * versions are the generated/ folders of Azure/bicep-types-az at that package's commit). A type@version
 * missing from a Bicep's types compiles with warning BCP081 and without type checking.
 * When azd moves to a newer Bicep, update the version, this table and the templates together.
 */
const AZD_BICEP = {
  version: '0.45.15',
  typesAz: '0.2.881',
  apiVersions: {
    'Microsoft.Authorization/locks': '2020-05-01',
    'Microsoft.Authorization/roleAssignments': '2022-04-01',
    'Microsoft.DataProtection/backupVaults': '2025-01-01',
    'Microsoft.DataProtection/backupVaults/backupInstances': '2025-01-01',
    'Microsoft.DataProtection/backupVaults/backupPolicies': '2025-01-01',
    'Microsoft.Insights/actionGroups': '2023-01-01',
    'Microsoft.Insights/diagnosticSettings': '2021-05-01-preview',
    'Microsoft.Insights/components': '2020-02-02',
    // The two below are the pinned CLI's newest (the rule flags anything older than two years, and
    // both types' previous stable versions are); whether Types.Az 0.2.881 has them was not checked
    // here. If azd's Bicep lacks them it warns BCP081 and deploys them untyped.
    'Microsoft.Insights/metricAlerts': '2026-01-01',
    'Microsoft.Insights/scheduledQueryRules': '2026-03-01',
    'Microsoft.Insights/workbooks': '2023-06-01',
    'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
    'Microsoft.OperationalInsights/workspaces': '2025-07-01',
    'Microsoft.Resources/resourceGroups': '2025-04-01',
    'Microsoft.Storage/storageAccounts': '2026-04-01',
    'Microsoft.Storage/storageAccounts/blobServices': '2026-04-01',
    'Microsoft.Storage/storageAccounts/blobServices/containers': '2026-04-01',
    'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies': '2026-04-01',
    'Microsoft.Storage/storageAccounts/managementPolicies': '2026-04-01',
    'Microsoft.Storage/storageAccounts/tableServices': '2026-04-01',
    'Microsoft.Storage/storageAccounts/tableServices/tables': '2026-04-01',
    'Microsoft.Web/serverfarms': '2025-03-01',
    'Microsoft.Web/sites': '2025-03-01',
  } as Record<string, string>,
} as const;

/**
 * Resource types for which the pinned CLI knows a newer stable version than azd's Bicep does. Only
 * these may be flagged by use-recent-api-versions once every version is over two years old.
 */
const LAGGING_BEHIND_PINNED_CLI = [
  // 2025-01-01, not the pinned CLI's newer ones: from 2025-07-01 on, the Bicep types of
  // backupInstances no longer accept objectType 'BlobBackupDatasourceParameters', which Microsoft's
  // own blob backup quickstart sends; and azd's older Bicep is likelier to know 2025-01-01.
  'Microsoft.DataProtection/backupVaults',
  'Microsoft.DataProtection/backupVaults/backupInstances',
  'Microsoft.DataProtection/backupVaults/backupPolicies',
  'Microsoft.OperationalInsights/workspaces',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices',
  'Microsoft.Storage/storageAccounts/blobServices/containers',
  'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies',
  'Microsoft.Storage/storageAccounts/managementPolicies',
  'Microsoft.Storage/storageAccounts/tableServices',
  'Microsoft.Storage/storageAccounts/tableServices/tables',
];

/** Every `'Type@version'` reference in the .bicep files under dir. */
function apiVersionsIn(dir: string): Array<{ file: string; type: string; apiVersion: string }> {
  return bicepFilesIn(dir).flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(/'(Microsoft\.[A-Za-z]+\/[A-Za-z/]+)@([0-9-]+(?:-preview)?)'/g),
    ].map((m) => ({ file: relative(dir, file), type: m[1]!, apiVersion: m[2]! })),
  );
}

/** A copy of infra/ whose bicepconfig.json evaluates use-recent-api-versions as if today were `day`. */
function infraAsOf(day: string): string {
  const dir = tempDir(`bicep-lint-${day}`);
  cpSync(INFRA_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${INFRA_DIR}/tools`) });
  const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as {
    analyzers: { core: { rules: Record<string, Record<string, unknown>> } };
  };
  config.analyzers.core.rules['use-recent-api-versions'] = { level: 'error', 'test-today': day };
  writeFileSync(join(dir, 'bicepconfig.json'), JSON.stringify(config, null, 2));
  return dir;
}

const show = (diagnostics: BicepDiagnostic[]) => diagnostics.map(formatDiagnostic).join('\n');

/** A small template that breaks several security and hygiene rules at once. */
const BAD_BICEP = `param unused string

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: 'stneg\${uniqueString(resourceGroup().id)}'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
}

output portal string = 'https://management.azure.com/'
output accountKey string = account.listKeys().keys[0].value
`;

describeWithBicep('bicep lint', () => {
  it('reports no diagnostics at all for infra/, warnings included', () => {
    const report = lintAll(cli!, INFRA_DIR);
    expect(report.failedToRun).toBe(false);
    expect(show(report.diagnostics)).toBe('');
    expect(bicepFilesIn(INFRA_DIR).length).toBeGreaterThanOrEqual(7);
  }, 120_000);

  it('sets the security rules to error level in bicepconfig.json', () => {
    const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as {
      analyzers: { core: { enabled: boolean; rules: Record<string, { level: string }> } };
    };
    expect(config.analyzers.core.enabled).toBe(true);
    const rules = config.analyzers.core.rules;
    for (const rule of [
      'secure-secrets-in-params',
      'outputs-should-not-contain-secrets',
      'use-secure-value-for-secure-inputs',
      'secure-parameter-default',
      'secure-params-in-nested-deploy',
      'no-hardcoded-env-urls',
      'no-unused-params',
      'no-unused-vars',
      'no-unused-existing-resources',
      'prefer-interpolation',
      'no-hardcoded-location',
      'explicit-values-for-loc-params',
      'no-loc-expr-outside-params',
      'use-resource-id-functions',
      'use-stable-resource-identifiers',
    ]) {
      expect({ rule, level: rules[rule]?.level }).toEqual({ rule, level: 'error' });
    }
    // Date-based, so only a warning: an old API version must never make `azd provision` fail on
    // some future day. The tests above and `npm run infra:lint` still fail on any warning.
    expect(rules['use-recent-api-versions']?.level).toBe('warning');
  });

  describe('the project config bites', () => {
    let strictDir: string;
    let defaultDir: string;

    beforeAll(() => {
      strictDir = tempDir('bicep-lint-strict');
      writeFileSync(join(strictDir, 'bad.bicep'), BAD_BICEP);
      cpSync(CONFIG, join(strictDir, 'bicepconfig.json'));
      // Same file without our config: Bicep's defaults (found by walking up from the temp dir).
      defaultDir = tempDir('bicep-lint-default');
      writeFileSync(join(defaultDir, 'bad.bicep'), BAD_BICEP);
    });

    it('fails `bicep lint` with each broken rule reported as an error', () => {
      const result = lintBicep(cli!, join(strictDir, 'bad.bicep'));
      const diagnostics = parseDiagnostics(`${result.stdout}\n${result.stderr}`);
      expect(result.status).not.toBe(0);
      const errors = new Set(diagnostics.filter((d) => d.level === 'Error').map((d) => d.code));
      for (const rule of [
        'no-unused-params',
        'no-hardcoded-env-urls',
        'no-hardcoded-location',
        'outputs-should-not-contain-secrets',
        'use-description-params',
      ]) {
        expect({ rule, reportedAsError: errors.has(rule) }).toEqual({ rule, reportedAsError: true });
      }
    }, 60_000);

    it('fails `bicep build` too', () => {
      const result = buildBicep(cli!, join(strictDir, 'bad.bicep'), join(strictDir, 'out', 'bad.json'));
      expect(result.status).not.toBe(0);
      expect(parseDiagnostics(`${result.stdout}\n${result.stderr}`).some((d) => d.level === 'Error')).toBe(
        true,
      );
    }, 60_000);

    it('is what makes them errors: Bicep defaults only warn (or stay silent)', () => {
      const result = lintBicep(cli!, join(defaultDir, 'bad.bicep'));
      const diagnostics = parseDiagnostics(`${result.stdout}\n${result.stderr}`);
      expect(diagnostics.filter((d) => d.level === 'Error')).toEqual([]);
      expect(diagnostics.map((d) => d.code)).not.toContain('no-hardcoded-location');
    }, 60_000);
  });

  it("uses, for every resource type, the newest API version that azd's Bicep knows", () => {
    const used = apiVersionsIn(INFRA_DIR);
    expect(used.length).toBeGreaterThan(10);
    for (const { file, type, apiVersion } of used) {
      expect({ file, type, apiVersion }).toEqual({ file, type, apiVersion: AZD_BICEP.apiVersions[type] });
    }
    // And the table lists nothing the templates no longer use.
    expect(Object.keys(AZD_BICEP.apiVersions).sort()).toEqual([...new Set(used.map((u) => u.type))].sort());
    expect(AZD_BICEP).toMatchObject({ version: '0.45.15', typesAz: '0.2.881' });
  });

  describe('use-recent-api-versions with the pinned CLI, as the calendar moves on', () => {
    // The rule accepts a version under two years old, or the newest one the CLI knows once all are
    // older. Versions held back for azd's Bicep lose the second way out, so the lint turns red on a
    // known day: the first one on which such a version is more than 730 days old.
    let flagged: Map<string, string>;

    beforeAll(() => {
      const report = lintAll(cli!, infraAsOf('2036-01-01'));
      expect(report.failedToRun).toBe(false);
      flagged = new Map();
      for (const d of report.diagnostics) {
        if (d.code === 'BCP104') continue; // "the referenced module has errors"
        expect(d.code).toBe('use-recent-api-versions');
        const m = /for '([^']+)'\. '([0-9-]+)' is/.exec(d.message);
        expect(m).not.toBeNull();
        flagged.set(m![1]!, m![2]!);
      }
    }, 120_000);

    it('flags, in the far future, only the types held back for azd (the pinned CLI knows newer)', () => {
      expect([...flagged.keys()].sort()).toEqual([...LAGGING_BEHIND_PINNED_CLI].sort());
    });

    it('stays quiet until the first held-back version is 730 days old, and not a day longer', () => {
      const expiry = (version: string) => {
        const day = new Date(`${version}T00:00:00Z`);
        day.setUTCDate(day.getUTCDate() + 730);
        return day.toISOString().slice(0, 10);
      };
      const lastQuietDay = [...flagged.values()].map(expiry).sort()[0]!;
      // Today: 2025-01-01 (DataProtection) + 730 days. Bump the versions before then, once azd's
      // Bicep knows the newer ones; until then the lint is expected to be clean.
      expect(lastQuietDay).toBe('2027-01-01');

      const quiet = lintAll(cli!, infraAsOf(lastQuietDay));
      expect(show(quiet.diagnostics)).toBe('');
      const dayAfter = new Date(`${lastQuietDay}T00:00:00Z`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      const loud = lintAll(cli!, infraAsOf(dayAfter.toISOString().slice(0, 10)));
      expect(loud.diagnostics.map((d) => d.code)).toContain('use-recent-api-versions');
    }, 180_000);

    it('is honoured: an old version is flagged under the same config', () => {
      const dir = infraAsOf('2036-01-01');
      const identity = join(dir, 'core', 'identity.bicep');
      writeFileSync(
        identity,
        readFileSync(identity, 'utf8').replace(
          /userAssignedIdentities@[\d-]+/,
          'userAssignedIdentities@2023-01-31',
        ),
      );
      const stale = lintBicep(cli!, identity);
      expect(parseDiagnostics(`${stale.stdout}\n${stale.stderr}`).map((d) => d.code)).toContain(
        'use-recent-api-versions',
      );
    }, 60_000);
  });
});
