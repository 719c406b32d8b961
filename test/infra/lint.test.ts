/**
 * Runs the real Bicep linter: infra/ must produce zero diagnostics (warnings included), the
 * project's bicepconfig.json must actually turn the security rules into errors, and the API
 * versions must be the newest the pinned CLI knows, so the lint cannot turn red by itself as
 * time passes (use-recent-api-versions compares against today's date).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

const show = (diagnostics: BicepDiagnostic[]) => diagnostics.map(formatDiagnostic).join('\n');

/** A small template that breaks several security and hygiene rules at once. */
const BAD_BICEP = `param unused string

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
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
      'use-recent-api-versions',
      'prefer-interpolation',
      'no-hardcoded-location',
      'explicit-values-for-loc-params',
      'no-loc-expr-outside-params',
      'use-resource-id-functions',
      'use-stable-resource-identifiers',
    ]) {
      expect({ rule, level: rules[rule]?.level }).toEqual({ rule, level: 'error' });
    }
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

  it('stays clean in the future: every API version is the newest the pinned CLI knows', () => {
    // use-recent-api-versions accepts a version that is under two years old OR the most recent
    // stable one. With "today" moved far ahead only the second branch is left, so a clean lint here
    // means the lint above cannot start failing on its own as the calendar moves on.
    const dir = tempDir('bicep-lint-future');
    cpSync(INFRA_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${INFRA_DIR}/tools`) });
    const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as {
      analyzers: { core: { rules: Record<string, Record<string, unknown>> } };
    };
    config.analyzers.core.rules['use-recent-api-versions'] = { level: 'error', 'test-today': '2036-01-01' };
    writeFileSync(join(dir, 'bicepconfig.json'), JSON.stringify(config, null, 2));

    const report = lintAll(cli!, dir);
    expect(report.failedToRun).toBe(false);
    expect(show(report.diagnostics)).toBe('');

    // And the switch is honoured: an old version is flagged under the same config.
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
  }, 120_000);
});
