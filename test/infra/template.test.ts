/**
 * Compiles infra/main.bicep with the real Bicep CLI and checks the resulting ARM JSON: the keyless
 * security settings, Flex Consumption configuration, app settings, role assignments, locations and
 * outputs. The template is compiled once, into a temp directory. The azd hooks in azure.yaml (which
 * need no Bicep) are checked at the end.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  MAIN_BICEP,
  REPO_ROOT,
  buildBicep,
  formatDiagnostic,
  parseDiagnostics,
} from '../../scripts/infra/bicepCli';
import {
  bicepOrSkip,
  module,
  modulesOf,
  ofType,
  paramRef,
  resolveValue,
  resourcesOf,
  single,
  tempDir,
  type ArmResource,
  type ArmTemplate,
} from './bicepHarness';
import { ArmFail, evaluate } from './armExpression';

const cli = bicepOrSkip();
const describeWithBicep = cli ? describe : describe.skip;

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  storageAccountBackupContributor: 'e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

interface LifecycleRule {
  name: string;
  enabled: boolean;
  type: string;
  definition: {
    filters: { blobTypes: string[]; prefixMatch: string[] };
    actions: { baseBlob: string };
  };
}

interface FunctionAppConfig {
  deployment: { storage: Record<string, unknown> };
  runtime: { name: string; version: string };
  scaleAndConcurrency: { maximumInstanceCount: unknown; instanceMemoryMB: unknown };
}

const MAIN_PARAM = (name: string, defaultValue?: unknown) => ({ mainParameter: name, defaultValue });

/**
 * "Flex Consumption plan deprecations" in the Azure Functions app settings reference
 * (learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations):
 * site properties and app settings that a Flex app must not carry. Compared case-insensitively.
 */
const FLEX_DEPRECATED_SITE_PROPERTIES = [
  'alwaysOn',
  'containerSize',
  'dnsConfiguration',
  'ftpsState',
  'isReserved',
  'IsXenon',
  'javaVersion',
  'LinuxFxVersion',
  'netFrameworkVersion',
  'powerShellVersion',
  'functionAppScaleLimit',
  'preWarmedInstanceCount',
  'use32BitWorkerProcess',
  'vnetBackupRestoreEnabled',
  'vnetContentShareEnabled',
  'vnetImagePullEnabled',
  'vnetRouteAllEnabled',
  'windowsFxVersion',
].map((name) => name.toLowerCase());

const FLEX_DEPRECATED_APP_SETTINGS = [
  'ENABLE_ORYX_BUILD',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_DNS_SERVER',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_VNET_ROUTE_ALL',
];

describeWithBicep('infra/main.bicep compiled with the real Bicep CLI', () => {
  let main: ArmTemplate;
  let text: string;

  beforeAll(() => {
    const outFile = join(tempDir('bicep-build'), 'main.json');
    const result = buildBicep(cli!, MAIN_BICEP, outFile);
    const diagnostics = parseDiagnostics(`${result.stdout}\n${result.stderr}`);
    if (result.status !== 0 || diagnostics.length > 0) {
      throw new Error(
        `bicep build failed (exit ${result.status}):\n${diagnostics.map(formatDiagnostic).join('\n')}\n${result.stderr}`,
      );
    }
    text = readFileSync(outFile, 'utf8');
    main = JSON.parse(text) as ArmTemplate;
  }, 180_000);

  const settingsOf = () => {
    const api = module(main, 'api').template;
    return single(api, 'Microsoft.Web/sites/config').properties as Record<string, unknown>;
  };

  describe('azd conventions', () => {
    it('targets the subscription and creates the resource group', () => {
      expect(main.$schema).toContain('subscriptionDeploymentTemplate.json');
      const rg = single(main, 'Microsoft.Resources/resourceGroups');
      expect(rg.location).toBe("[parameters('location')]");
      expect(rg.name).toContain("format('rg-{0}', parameters('environmentName'))");
      expect(rg.tags).toBe("[variables('tags')]");
    });

    it('declares environmentName, location and an optional principalId', () => {
      const p = main.parameters!;
      expect(p.environmentName).toMatchObject({ type: 'string' });
      expect(p.environmentName).not.toHaveProperty('defaultValue');
      expect(p.location).toMatchObject({ type: 'string', metadata: { azd: { type: 'location' } } });
      expect(p.location).not.toHaveProperty('defaultValue');
      expect(p.principalId).toMatchObject({ type: 'string', defaultValue: '' });
      expect(p.principalType).toMatchObject({ defaultValue: 'User' });
    });

    it('derives names from resourceToken and tags everything with azd-env-name', () => {
      expect(main.variables!.resourceToken).toBe(
        "[toLower(uniqueString(subscription().id, parameters('environmentName'), parameters('location')))]",
      );
      expect(main.variables!.tags).toEqual({ 'azd-env-name': "[parameters('environmentName')]" });
      for (const mod of modulesOf(main).values()) {
        if ('tags' in mod.parameters) expect(mod.parameters.tags).toBe("[variables('tags')]");
      }
    });

    it('maps the azd environment in main.parameters.json', () => {
      const file = JSON.parse(readFileSync(join(MAIN_BICEP, '..', 'main.parameters.json'), 'utf8')) as {
        parameters: Record<string, { value: unknown }>;
      };
      expect(file.parameters.environmentName!.value).toBe('${AZURE_ENV_NAME}');
      expect(file.parameters.location!.value).toBe('${AZURE_LOCATION}');
      expect(file.parameters.principalId!.value).toBe('${AZURE_PRINCIPAL_ID}');
      for (const name of Object.keys(file.parameters)) expect(main.parameters).toHaveProperty(name);
    });
  });

  describe('data storage account', () => {
    const data = () => module(main, 'dataStorage').template;

    it('is keyless StorageV2 with TLS 1.2, HTTPS only and no public blob access', () => {
      const account = single(data(), 'Microsoft.Storage/storageAccounts');
      expect(account.kind).toBe('StorageV2');
      expect(account.properties).toMatchObject({
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        defaultToOAuthAuthentication: true,
      });
    });

    it('is zone-redundant by default: it holds the only copy once the gateway deletes its own', () => {
      const account = single(data(), 'Microsoft.Storage/storageAccounts');
      // Through the region and tier guard (see "guards" below), from the dataStorageSku parameter.
      expect(resolveValue(main, 'dataStorage', account.sku!.name)).toBe(
        main.variables!.checkedDataStorageSku,
      );
      expect(main.parameters!.dataStorageSku!.defaultValue).toBe('Standard_ZRS');
      expect(evaluate(main, main.variables!.checkedDataStorageSku, { location: 'swedencentral' })).toBe(
        'Standard_ZRS',
      );
      // Geo-zone redundancy stays available, and LRS only as an explicit choice.
      const allowed = [
        'Standard_LRS',
        'Standard_ZRS',
        'Standard_GRS',
        'Standard_RAGRS',
        'Standard_GZRS',
        'Standard_RAGZRS',
      ];
      expect([...(main.parameters!.dataStorageSku!.allowedValues as string[])].sort()).toEqual(
        allowed.sort(),
      );
      expect(module(main, 'dataStorage').template.parameters!.skuName!.allowedValues).toEqual(
        main.parameters!.dataStorageSku!.allowedValues,
      );
      expect(module(main, 'dataStorage').template.parameters!.skuName).not.toHaveProperty('defaultValue');
    });

    it('records blob changes in the change feed, on by default, with a parameterised retention', () => {
      const blob = single(data(), 'Microsoft.Storage/storageAccounts/blobServices');
      const changeFeed = (blob.properties as { changeFeed: unknown }).changeFeed;
      expect(changeFeed).toBe(
        "[if(parameters('enableChangeFeed'), createObject('enabled', true(), 'retentionInDays', parameters('changeFeedRetentionDays')), createObject('enabled', false()))]",
      );
      expect(resolveValue(main, 'dataStorage', "[parameters('enableChangeFeed')]")).toEqual(
        MAIN_PARAM('enableChangeFeed', true),
      );
      expect(resolveValue(main, 'dataStorage', "[parameters('changeFeedRetentionDays')]")).toEqual(
        MAIN_PARAM('changeFeedRetentionDays', 90),
      );
      // The range the Storage API accepts for changeFeed.retentionInDays.
      for (const p of [
        main.parameters!.changeFeedRetentionDays,
        module(main, 'dataStorage').template.parameters!.changeFeedRetentionDays,
      ]) {
        expect(p).toMatchObject({ type: 'int', minValue: 1, maxValue: 146000 });
      }
      expect(main.parameters!.enableChangeFeed).toMatchObject({ type: 'bool', defaultValue: true });
    });

    it('has versioning, blob soft delete and container soft delete with parameterised days', () => {
      const blob = single(data(), 'Microsoft.Storage/storageAccounts/blobServices');
      const props = blob.properties as {
        isVersioningEnabled: boolean;
        deleteRetentionPolicy: { enabled: boolean; days: unknown };
        containerDeleteRetentionPolicy: { enabled: boolean; days: unknown };
      };
      expect(props.isVersioningEnabled).toBe(true);
      expect(props.deleteRetentionPolicy.enabled).toBe(true);
      expect(props.containerDeleteRetentionPolicy.enabled).toBe(true);
      expect(resolveValue(main, 'dataStorage', props.deleteRetentionPolicy.days)).toEqual(
        MAIN_PARAM('blobSoftDeleteDays', 14),
      );
      expect(resolveValue(main, 'dataStorage', props.containerDeleteRetentionPolicy.days)).toEqual(
        MAIN_PARAM('containerSoftDeleteDays', 14),
      );
    });

    it('has private `raw` and `table-exports` containers and the `idempotency` and `devices` tables', () => {
      const containers = ofType(data(), 'Microsoft.Storage/storageAccounts/blobServices/containers');
      for (const container of containers) expect(container.properties).toEqual({ publicAccess: 'None' });
      const names = containers.map((c) => {
        const param = /parameters\('([^']+)'\)\)\]$/.exec(c.name)?.[1];
        return resolveValue(main, 'dataStorage', `[parameters('${param}')]`);
      });
      expect(names.sort()).toEqual(['raw', 'table-exports']);

      const tables = ofType(data(), 'Microsoft.Storage/storageAccounts/tableServices/tables').map((t) => {
        const param = /parameters\('([^']+)'\)\)\]$/.exec(t.name)?.[1];
        return resolveValue(main, 'dataStorage', `[parameters('${param}')]`);
      });
      expect(tables.sort()).toEqual(['devices', 'idempotency']);
    });

    it('tiers raw/ blobs to Cool, then Cold (or Archive), after parameterised days', () => {
      const policy = single(data(), 'Microsoft.Storage/storageAccounts/managementPolicies');
      const rules = (policy.properties as { policy: { rules: LifecycleRule[] } }).policy.rules;
      expect(rules).toHaveLength(1);
      const rule = rules[0]!;
      expect(rule).toMatchObject({ enabled: true, type: 'Lifecycle' });
      expect(rule.definition.filters.blobTypes).toEqual(['blockBlob']);
      expect(rule.definition.filters.prefixMatch).toEqual([
        "[format('{0}/', parameters('rawContainerName'))]",
      ]);

      const baseBlob = rule.definition.actions.baseBlob;
      expect(baseBlob).toContain(
        "createObject('tierToCool', createObject('daysAfterModificationGreaterThan', parameters('rawCoolAfterDays')))",
      );
      const longTerm = data().variables!.longTermAction as string;
      expect(baseBlob).toContain("variables('longTermAction')");
      expect(longTerm).toContain(
        "createObject('tierToCold', createObject('daysAfterModificationGreaterThan'",
      );
      expect(longTerm).toContain(
        "createObject('tierToArchive', createObject('daysAfterModificationGreaterThan'",
      );
      expect(longTerm).toContain("parameters('rawLongTermAfterDays')");

      expect(resolveValue(main, 'dataStorage', "[parameters('rawCoolAfterDays')]")).toEqual(
        MAIN_PARAM('rawCoolAfterDays', 30),
      );
      expect(resolveValue(main, 'dataStorage', "[parameters('rawLongTermAfterDays')]")).toBe(
        main.variables!.checkedLongTermAfterDays,
      );
      expect(evaluate(main, main.variables!.checkedLongTermAfterDays, {})).toBe(180);
      expect(main.parameters!.rawLongTermTier).toMatchObject({
        defaultValue: 'Cold',
        allowedValues: ['Cold', 'Archive'],
      });
    });
  });

  /** Values the data account module receives for the given main parameters (as ARM would pass them). */
  const dataParams = (params: Record<string, unknown>) => {
    const mod = module(main, 'dataStorage');
    const values: Record<string, never> = {};
    for (const [name, expr] of Object.entries(mod.parameters)) {
      try {
        values[name] = evaluate(main, expr, { location: 'swedencentral', ...params } as never) as never;
      } catch (error) {
        if (error instanceof ArmFail) throw error;
      }
    }
    return values;
  };
  const sent = (resource: ArmResource, params: Record<string, unknown>) =>
    resource.condition === undefined ||
    evaluate(module(main, 'dataStorage').template, resource.condition, dataParams(params)) === true;

  describe('immutability that survives redeploys', () => {
    const policy = () =>
      single(
        module(main, 'dataStorage').template,
        'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies',
      );

    /** `bicep build-params` of a .bicepparam for main.bicep: the parameters azd would send. */
    const compileParams = (name: string, values: string): Record<string, unknown> => {
      const dir = tempDir(`bicepparam-${name}`);
      const file = join(dir, `${name}.bicepparam`);
      writeFileSync(
        file,
        `using '${relative(dir, MAIN_BICEP)}'\nparam environmentName = 'prod'\nparam location = 'swedencentral'\n${values}\n`,
      );
      const result = spawnSync(cli!.command, [...cli!.prefixArgs, 'build-params', file, '--stdout'], {
        encoding: 'utf8',
      });
      expect({ name, status: result.status, stderr: result.stderr }).toEqual({ name, status: 0, stderr: '' });
      const json = JSON.parse(result.stdout) as { parametersJson: string };
      const parameters = (
        JSON.parse(json.parametersJson) as { parameters: Record<string, { value: unknown }> }
      ).parameters;
      return Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v.value]));
    };

    it('sends the WORM policy on the first deploy, unlocked, and never while it is locked', () => {
      const first = compileParams(
        'first-deploy',
        "param rawImmutability = 'unlocked'\nparam rawImmutabilityDays = 365",
      );
      const redeploy = compileParams(
        'redeploy-locked',
        "param rawImmutability = 'locked'\nparam rawImmutabilityDays = 365",
      );
      expect(sent(policy(), first)).toBe(true);
      expect(dataParams(first)).toMatchObject({ rawImmutability: 'unlocked', rawImmutabilityDays: 365 });
      expect(policy().properties).toMatchObject({
        immutabilityPeriodSinceCreationInDays: "[parameters('rawImmutabilityDays')]",
        allowProtectedAppendWrites: false,
      });
      // A locked policy accepts only an extension: the redeploy must not PUT it at all.
      expect(sent(policy(), redeploy)).toBe(false);
      // And nothing else in the template touches the policy (no second declaration, no extend).
      expect(text.match(/immutabilityPolicies/g)).toHaveLength(1);
    }, 60_000);

    it('is off by default and accepts only none, unlocked or locked', () => {
      expect(main.parameters!.rawImmutability).toMatchObject({
        defaultValue: 'none',
        allowedValues: ['none', 'unlocked', 'locked'],
      });
      expect(sent(policy(), {})).toBe(false);
    });
  });

  describe('protection of the only copy', () => {
    const data = () => module(main, 'dataStorage').template;

    it('locks the data account against deletion (CanNotDelete), unless lockData is off', () => {
      const lock = single(data(), 'Microsoft.Authorization/locks');
      expect(lock.properties).toMatchObject({ level: 'CanNotDelete' });
      expect(lock.scope).toBe("[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]");
      expect(sent(lock, {})).toBe(true);
      expect(sent(lock, { environmentType: 'development' })).toBe(false);
      expect(sent(lock, { environmentType: 'development', lockData: true })).toBe(true);
      expect(main.parameters!.environmentType).toMatchObject({
        defaultValue: 'production',
        allowedValues: ['production', 'development'],
      });
    });

    it('turns on point-in-time restore (7 days) next to versioning, soft delete and the change feed', () => {
      const blob = single(data(), 'Microsoft.Storage/storageAccounts/blobServices');
      const restore = (blob.properties as { restorePolicy: unknown }).restorePolicy;
      expect(String(restore)).toContain(
        "createObject('enabled', true(), 'days', max(parameters('restoreDays'), 1))",
      );
      expect(dataParams({}).restoreDays).toBe(7);
      expect(main.parameters!.pointInTimeRestoreDays).toMatchObject({ defaultValue: 7, minValue: 0 });
      expect(dataParams({ pointInTimeRestoreDays: 0 }).restoreDays).toBe(0);
      expect(String(restore)).toMatch(/^\[if\(greater\(parameters\('restoreDays'\), 0\)/);
      expect(blob.properties).toMatchObject({
        isVersioningEnabled: true,
        deleteRetentionPolicy: { enabled: true },
      });
    });

    it('keeps a second copy in a Backup vault: daily vaulted backup of raw and table-exports', () => {
      const vaultModule = module(main, 'backupVault');
      expect(evaluate(main, vaultModule.deployment.condition, {})).toBe(true);
      expect(evaluate(main, vaultModule.deployment.condition, { environmentType: 'development' })).toBe(
        false,
      );
      const vault = single(vaultModule.template, 'Microsoft.DataProtection/backupVaults');
      expect(vault.identity).toEqual({ type: 'SystemAssigned' });
      expect(vault.properties).toMatchObject({
        storageSettings: [{ datastoreType: 'VaultStore', type: "[parameters('storageRedundancy')]" }],
        securitySettings: { softDeleteSettings: { state: 'On', retentionDurationInDays: 14 } },
      });
      expect(main.parameters!.backupVaultRedundancy).toMatchObject({ defaultValue: 'GeoRedundant' });
      const policy = single(vaultModule.template, 'Microsoft.DataProtection/backupVaults/backupPolicies');
      const rules = (policy.properties as { policyRules: Array<Record<string, unknown>> }).policyRules;
      expect(policy.properties).toMatchObject({
        datasourceTypes: ['Microsoft.Storage/storageAccounts/blobServices'],
      });
      // Vaulted only: an OperationalStore rule would hand the account's restore policy to Azure Backup.
      expect(JSON.stringify(rules)).not.toContain('OperationalStore');
      expect(rules.map((r) => r.objectType).sort()).toEqual(['AzureBackupRule', 'AzureRetentionRule']);
      expect(main.parameters!.backupRetentionDays).toMatchObject({ defaultValue: 90 });
      expect(single(vaultModule.template, 'Microsoft.Authorization/locks').properties).toMatchObject({
        level: 'CanNotDelete',
      });

      const instanceModule = module(main, 'backupInstance');
      const instance = single(
        instanceModule.template,
        'Microsoft.DataProtection/backupVaults/backupInstances',
      );
      expect(JSON.stringify(instance.properties)).toContain('BlobBackupDatasourceParameters');
      expect(instanceModule.parameters.containers).toEqual([
        "[variables('rawContainerName')]",
        "[variables('exportsContainerName')]",
      ]);
      // Protection is configured only once the vault may read the account.
      expect(JSON.stringify(instanceModule.deployment.dependsOn)).toContain('rbac');
    });

    it('sends blob, table and Function App logs and the Activity Log to Log Analytics', () => {
      const diagnostics = module(main, 'diagnostics');
      const settings = ofType(diagnostics.template, 'Microsoft.Insights/diagnosticSettings');
      expect(settings.map((d) => d.scope).sort()).toEqual(
        [
          "[resourceId('Microsoft.Storage/storageAccounts/blobServices', parameters('dataStorageAccountName'), 'default')]",
          "[resourceId('Microsoft.Storage/storageAccounts/tableServices', parameters('dataStorageAccountName'), 'default')]",
          "[resourceId('Microsoft.Web/sites', parameters('functionAppName'))]",
        ].sort(),
      );
      for (const d of settings) {
        expect(d.properties).toMatchObject({
          workspaceId: "[parameters('workspaceId')]",
          logs: "[variables('allLogs')]",
        });
      }
      expect(diagnostics.template.variables!.allLogs).toEqual([{ categoryGroup: 'allLogs', enabled: true }]);
      expect(diagnostics.parameters.workspaceId).toBe(
        "[reference('monitoring').outputs.logAnalyticsId.value]",
      );

      const activity = module(main, 'activityLog');
      // A subscription-scope module: the setting belongs to the subscription, not the resource group.
      expect(activity.deployment).not.toHaveProperty('resourceGroup');
      expect(activity.template.$schema).toContain('subscriptionDeploymentTemplate.json');
      const setting = single(activity.template, 'Microsoft.Insights/diagnosticSettings');
      expect(setting.scope).toBeUndefined();
      expect(JSON.stringify(setting.properties)).toContain("variables('categories')");
      expect(activity.template.variables!.categories).toEqual([
        'Administrative',
        'Security',
        'ServiceHealth',
        'Alert',
        'Recommendation',
        'Policy',
        'Autoscale',
        'ResourceHealth',
      ]);
      expect(evaluate(main, activity.deployment.condition, {})).toBe(true);
    });
  });

  describe('guards: combinations Azure refuses stop the deployment with a message', () => {
    const sku = (params: Record<string, unknown>) =>
      evaluate(main, main.variables!.checkedDataStorageSku, {
        location: 'swedencentral',
        ...params,
      } as never);
    const longTerm = (params: Record<string, unknown>) =>
      evaluate(main, main.variables!.checkedLongTermAfterDays, params as never);
    const restore = (params: Record<string, unknown>) =>
      evaluate(main, main.variables!.checkedRestoreDays, params as never);

    it('feed the data account, so they are evaluated before it is created', () => {
      const params = module(main, 'dataStorage').parameters;
      expect(params.skuName).toBe("[variables('checkedDataStorageSku')]");
      expect(params.rawLongTermAfterDays).toBe("[variables('checkedLongTermAfterDays')]");
      expect(params.restoreDays).toBe("[variables('checkedRestoreDays')]");
    });

    it('refuse ZRS in a region without availability zones, and accept it where zones exist', () => {
      expect(sku({})).toBe('Standard_ZRS');
      expect(sku({ location: 'West Europe' })).toBe('Standard_ZRS');
      expect(() => sku({ location: 'westus' })).toThrow(
        new ArmFail(
          'dataStorageSku Standard_ZRS needs a region with availability zones; westus does not offer ZRS for standard accounts. Choose such a region or Standard_LRS / Standard_GRS.',
        ),
      );
      expect(sku({ location: 'westus', dataStorageSku: 'Standard_LRS' })).toBe('Standard_LRS');
      expect(() => sku({ location: 'italynorth', dataStorageSku: 'Standard_GZRS' })).toThrow(
        /does not offer geo-zone-redundant storage/,
      );
      expect(sku({ location: 'italynorth' })).toBe('Standard_ZRS');
    });

    it('refuse the Archive tier with zone-redundant SKUs', () => {
      for (const dataStorageSku of ['Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS']) {
        expect(() => sku({ dataStorageSku, rawLongTermTier: 'Archive' })).toThrow(
          new ArmFail(
            `rawLongTermTier Archive is not available with ${dataStorageSku}: the Archive tier needs Standard_LRS, Standard_GRS or Standard_RAGRS.`,
          ),
        );
      }
      for (const dataStorageSku of ['Standard_LRS', 'Standard_GRS', 'Standard_RAGRS'])
        expect(sku({ dataStorageSku, rawLongTermTier: 'Archive' })).toBe(dataStorageSku);
    });

    it('refuse a long-term tier that would come before (or with) Cool', () => {
      expect(longTerm({})).toBe(180);
      expect(longTerm({ rawCoolAfterDays: 30, rawLongTermAfterDays: 31 })).toBe(31);
      expect(() => longTerm({ rawCoolAfterDays: 30, rawLongTermAfterDays: 30 })).toThrow(
        new ArmFail(
          'rawLongTermAfterDays (30) must be greater than rawCoolAfterDays (30): a blob moves to Cool before it moves on.',
        ),
      );
    });

    it('refuse a restore window as long as soft delete, or without the change feed', () => {
      expect(restore({})).toBe(7);
      expect(restore({ pointInTimeRestoreDays: 13 })).toBe(13);
      expect(() => restore({ pointInTimeRestoreDays: 14 })).toThrow(
        new ArmFail('pointInTimeRestoreDays (14) must be less than blobSoftDeleteDays (14).'),
      );
      expect(() => restore({ enableChangeFeed: false })).toThrow(/needs the change feed/);
      expect(restore({ enableChangeFeed: false, pointInTimeRestoreDays: 0 })).toBe(0);
    });

    it('use fail(), not the experimental assert (which the pinned Bicep compiles only as languageVersion 2.1-experimental)', () => {
      expect(text).not.toContain('"asserts"');
      expect((main as unknown as { languageVersion: string }).languageVersion).toBe('2.0');
    });
  });

  describe('function host storage', () => {
    it('is a separate keyless account holding the deployment-package container', () => {
      const host = module(main, 'hostStorage').template;
      const account = single(host, 'Microsoft.Storage/storageAccounts');
      expect(account.properties).toMatchObject({
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        defaultToOAuthAuthentication: true,
      });
      const container = single(host, 'Microsoft.Storage/storageAccounts/blobServices/containers');
      expect(container.properties).toEqual({ publicAccess: 'None' });
      expect(module(main, 'hostStorage').parameters.name).not.toEqual(
        module(main, 'dataStorage').parameters.name,
      );
    });
  });

  describe('monitoring', () => {
    it('is a Log Analytics workspace with workspace-based Application Insights, local auth disabled', () => {
      const mon = module(main, 'monitoring').template;
      const workspace = single(mon, 'Microsoft.OperationalInsights/workspaces');
      expect(workspace.properties).toMatchObject({ sku: { name: 'PerGB2018' } });
      const appInsights = single(mon, 'Microsoft.Insights/components');
      expect(appInsights.properties).toMatchObject({
        Application_Type: 'web',
        DisableLocalAuth: true,
        WorkspaceResourceId:
          "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]",
      });
    });
  });

  describe('Function App on Flex Consumption', () => {
    const api = () => module(main, 'api').template;
    const site = () => single(api(), 'Microsoft.Web/sites');

    it('runs on an FC1 FlexConsumption Linux plan', () => {
      const plan = single(api(), 'Microsoft.Web/serverfarms');
      expect(plan.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
      expect(plan.properties).toMatchObject({ reserved: true });
      expect(site().properties!.serverFarmId).toBe(
        "[resourceId('Microsoft.Web/serverfarms', parameters('planName'))]",
      );
    });

    it('is an HTTPS-only Linux function app with TLS 1.2', () => {
      expect(site().kind).toBe('functionapp,linux');
      expect(site().properties).toMatchObject({
        httpsOnly: true,
        siteConfig: { minTlsVersion: '1.2', scmMinTlsVersion: '1.2' },
      });
    });

    it('sets no site property or app setting that Flex Consumption deprecates (ftpsState included)', () => {
      const siteConfig = site().properties!.siteConfig as Record<string, unknown>;
      expect(siteConfig).not.toHaveProperty('ftpsState');
      for (const key of [...Object.keys(siteConfig), ...Object.keys(site().properties!)]) {
        expect({
          key,
          deprecatedOnFlex: FLEX_DEPRECATED_SITE_PROPERTIES.includes(key.toLowerCase()),
        }).toEqual({
          key,
          deprecatedOnFlex: false,
        });
      }
      for (const key of Object.keys(settingsOf())) {
        expect({ key, deprecatedOnFlex: FLEX_DEPRECATED_APP_SETTINGS.includes(key.toUpperCase()) }).toEqual({
          key,
          deprecatedOnFlex: false,
        });
      }
      expect(text).not.toMatch(/ftpsState/i);
    });

    it('is tagged azd-service-name: api', () => {
      expect(site().tags).toBe("[union(parameters('tags'), createObject('azd-service-name', 'api'))]");
    });

    it('runs as the user-assigned identity only', () => {
      expect(site().identity).toEqual({
        type: 'UserAssigned',
        userAssignedIdentities: { "[format('{0}', parameters('identityId'))]": {} },
      });
      expect(module(main, 'api').parameters.identityId).toBe("[reference('identity').outputs.id.value]");
      const identity = single(
        module(main, 'identity').template,
        'Microsoft.ManagedIdentity/userAssignedIdentities',
      );
      expect(identity.location).toBe("[parameters('location')]");
    });

    it('deploys from a blob container with user-assigned identity authentication', () => {
      const config = site().properties!.functionAppConfig as FunctionAppConfig;
      expect(config.deployment.storage).toEqual({
        type: 'blobContainer',
        value:
          "[format('{0}{1}', parameters('hostStorageBlobEndpoint'), parameters('deploymentContainerName'))]",
        authentication: {
          type: 'UserAssignedIdentity',
          userAssignedIdentityResourceId: "[parameters('identityId')]",
        },
      });
      const params = module(main, 'api').parameters;
      expect(params.hostStorageBlobEndpoint).toBe("[reference('hostStorage').outputs.blobEndpoint.value]");
      expect(params.deploymentContainerName).toBe(
        "[reference('hostStorage').outputs.deploymentContainerName.value]",
      );
      const hostOutputs = module(main, 'hostStorage').template.outputs!;
      expect(hostOutputs.blobEndpoint!.value).toBe("[reference('account').primaryEndpoints.blob]");
    });

    it('runs Node 22 with parameterised scale-out and instance memory', () => {
      const config = site().properties!.functionAppConfig as FunctionAppConfig;
      expect(config.runtime).toEqual({ name: 'node', version: '22' });
      expect(resolveValue(main, 'api', config.scaleAndConcurrency.maximumInstanceCount)).toEqual(
        MAIN_PARAM('maximumInstanceCount', 100),
      );
      expect(resolveValue(main, 'api', config.scaleAndConcurrency.instanceMemoryMB)).toEqual(
        MAIN_PARAM('instanceMemoryMB', 2048),
      );
      expect(main.parameters!.maximumInstanceCount).toMatchObject({ minValue: 40, maxValue: 1000 });
      expect(main.parameters!.instanceMemoryMB!.allowedValues).toEqual([512, 2048, 4096]);
    });

    it('disables basic-auth publishing credentials for SCM and FTP (FTP off without ftpsState)', () => {
      const policies = ofType(api(), 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
      expect(policies.map((p) => /, '(\w+)'\)\]$/.exec(p.name)?.[1]).sort()).toEqual(['ftp', 'scm']);
      for (const policy of policies) expect(policy.properties).toEqual({ allow: false });
    });

    it('sets exactly the expected app settings, with identity-based host storage', () => {
      const settings = settingsOf();
      expect(Object.keys(settings).sort()).toEqual(
        [
          'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
          'APPLICATIONINSIGHTS_CONNECTION_STRING',
          'AZURE_CLIENT_ID',
          'AzureWebJobsStorage__accountName',
          'AzureWebJobsStorage__clientId',
          'AzureWebJobsStorage__credential',
          'DATA_STORAGE_ACCOUNT_NAME',
          'DATA_STORAGE_BLOB_ENDPOINT',
          'DATA_STORAGE_TABLE_ENDPOINT',
          'DEVICES_TABLE',
          'IDEMPOTENCY_TABLE',
          'INGEST_AUTH',
          'MAX_BODY_BYTES',
          'RAW_CONTAINER',
          'STORAGE_TIMEOUT_MS',
          'TABLE_EXPORTS_CONTAINER',
        ].sort(),
      );
      expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(settings.AzureWebJobsStorage__clientId).toBe("[parameters('identityClientId')]");
      expect(resolveValue(main, 'api', settings.AzureWebJobsStorage__accountName)).toBe(
        "[format('sthost{0}', variables('resourceToken'))]",
      );
    });

    it('wires the data storage settings to the data account endpoints', () => {
      const settings = settingsOf();
      const params = module(main, 'api').parameters;
      expect(resolveValue(main, 'api', settings.DATA_STORAGE_ACCOUNT_NAME)).toBe(
        "[format('st{0}', variables('resourceToken'))]",
      );
      expect(module(main, 'dataStorage').parameters.name).toBe("[variables('dataStorageAccountName')]");
      expect(paramRef(settings.DATA_STORAGE_BLOB_ENDPOINT)).toBe('dataStorageBlobEndpoint');
      expect(params.dataStorageBlobEndpoint).toBe("[reference('dataStorage').outputs.blobEndpoint.value]");
      expect(paramRef(settings.DATA_STORAGE_TABLE_ENDPOINT)).toBe('dataStorageTableEndpoint');
      expect(params.dataStorageTableEndpoint).toBe("[reference('dataStorage').outputs.tableEndpoint.value]");
      const outputs = module(main, 'dataStorage').template.outputs!;
      expect(outputs.blobEndpoint!.value).toBe("[reference('account').primaryEndpoints.blob]");
      expect(outputs.tableEndpoint!.value).toBe("[reference('account').primaryEndpoints.table]");
    });

    it('passes the fixed container and table names and the parameterised limits', () => {
      const settings = settingsOf();
      expect(resolveValue(main, 'api', settings.RAW_CONTAINER)).toBe('raw');
      expect(resolveValue(main, 'api', settings.IDEMPOTENCY_TABLE)).toBe('idempotency');
      expect(resolveValue(main, 'api', settings.DEVICES_TABLE)).toBe('devices');
      expect(settings.MAX_BODY_BYTES).toBe("[string(parameters('maxBodyBytes'))]");
      expect(resolveValue(main, 'api', "[parameters('maxBodyBytes')]")).toEqual(
        MAIN_PARAM('maxBodyBytes', 10485760),
      );
      expect(settings.STORAGE_TIMEOUT_MS).toBe("[string(parameters('storageTimeoutMs'))]");
      expect(resolveValue(main, 'api', "[parameters('storageTimeoutMs')]")).toEqual(
        MAIN_PARAM('storageTimeoutMs', 10000),
      );
    });

    it('gives the managed identity credential and Application Insights the identity client id', () => {
      const settings = settingsOf();
      expect(settings.AZURE_CLIENT_ID).toBe("[parameters('identityClientId')]");
      expect(module(main, 'api').parameters.identityClientId).toBe(
        "[reference('identity').outputs.clientId.value]",
      );
      expect(module(main, 'identity').template.outputs!.clientId!.value).toContain('.clientId');
      expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(
        "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
      );
      expect(resolveValue(main, 'api', settings.APPLICATIONINSIGHTS_CONNECTION_STRING)).toBe(
        "[reference('monitoring').outputs.connectionString.value]",
      );
    });

    it("hard-codes INGEST_AUTH to 'on' with no parameter to turn it off", () => {
      expect(settingsOf().INGEST_AUTH).toBe('on');
      const templates = [main, ...[...modulesOf(main).values()].map((m) => m.template)];
      for (const template of templates) {
        for (const name of Object.keys(template.parameters ?? {})) expect(name).not.toMatch(/ingest|auth/i);
      }
    });
  });

  describe('role assignments', () => {
    const rbac = () => module(main, 'rbac');
    const assignments = () => ofType(rbac().template, 'Microsoft.Authorization/roleAssignments');

    const roleGuid = (assignment: ArmResource): string => {
      const ref = /^\[variables\('([^']+)'\)\]$/.exec(String(assignment.properties!.roleDefinitionId))?.[1];
      const definition = String(rbac().template.variables![ref!]);
      expect(definition).toMatch(/^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', '/);
      return /'([0-9a-f-]{36})'\)\]$/.exec(definition)![1]!;
    };

    const ACCOUNT = (param: string) =>
      `[resourceId('Microsoft.Storage/storageAccounts', parameters('${param}'))]`;
    const CONTAINER =
      "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('dataStorageAccountName'), 'default', parameters('rawContainerName'))]";
    const APP_INSIGHTS =
      "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]";
    const TABLE = (param: string) =>
      `[resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', parameters('dataStorageAccountName'), 'default', parameters('${param}'))]`;

    const expected = [
      {
        role: ROLE.storageBlobDataContributor,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'appPrincipalId',
      },
      {
        role: ROLE.storageTableDataContributor,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'appPrincipalId',
      },
      {
        role: ROLE.storageBlobDataOwner,
        scope: ACCOUNT('hostStorageAccountName'),
        principal: 'appPrincipalId',
      },
      // The host writes its diagnostic events to Table storage in AzureWebJobsStorage.
      {
        role: ROLE.storageTableDataContributor,
        scope: ACCOUNT('hostStorageAccountName'),
        principal: 'appPrincipalId',
      },
      { role: ROLE.monitoringMetricsPublisher, scope: APP_INSIGHTS, principal: 'appPrincipalId' },
      {
        role: ROLE.storageBlobDataReader,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageBlobDelegator,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageTableDataContributor,
        scope: TABLE('devicesTableName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageTableDataReader,
        scope: TABLE('idempotencyTableName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageBlobDataContributor,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageTableDataContributor,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'userPrincipalId',
      },
      {
        role: ROLE.storageAccountBackupContributor,
        scope: ACCOUNT('dataStorageAccountName'),
        principal: 'backupVaultPrincipalId',
      },
      { role: ROLE.storageBlobDataReader, scope: CONTAINER, principal: 'vendorPrincipalId' },
    ];

    it('are all in the rbac module, and nowhere else', () => {
      for (const [symbol, mod] of modulesOf(main)) {
        const count = ofType(mod.template, 'Microsoft.Authorization/roleAssignments').length;
        expect({ symbol, count }).toEqual({ symbol, count: symbol === 'rbac' ? expected.length : 0 });
      }
      expect(ofType(main, 'Microsoft.Authorization/roleAssignments')).toHaveLength(0);
    });

    it('grant exactly the expected role, principal and scope, named guid(scope, principal, role)', () => {
      const actual = assignments().map((a) => ({
        role: roleGuid(a),
        scope: a.scope,
        principal: paramRef(a.properties!.principalId),
      }));
      expect(actual).toEqual(expect.arrayContaining(expected));
      expect(actual).toHaveLength(expected.length);

      for (const a of assignments()) {
        const scope = String(a.scope).slice(1, -1);
        const principal = paramRef(a.properties!.principalId);
        expect(a.name).toBe(
          `[guid(${scope}, parameters('${principal}'), ${String(a.properties!.roleDefinitionId).slice(1, -1)})]`,
        );
      }
    });

    it('target the app identity as a ServicePrincipal, unconditionally', () => {
      const app = assignments().filter((a) => paramRef(a.properties!.principalId) === 'appPrincipalId');
      expect(app).toHaveLength(5);
      for (const a of app) {
        expect(a.properties!.principalType).toBe('ServicePrincipal');
        expect(a.condition).toBeUndefined();
      }
      expect(rbac().parameters.appPrincipalId).toBe("[reference('identity').outputs.principalId.value]");
    });

    it('let the app create and read raw blobs, never delete, overwrite or rename them', () => {
      const app = assignments().filter((a) => paramRef(a.properties!.principalId) === 'appPrincipalId');
      const blob = app.filter(
        (a) =>
          a.scope === ACCOUNT('dataStorageAccountName') && roleGuid(a) === ROLE.storageBlobDataContributor,
      );
      expect(blob).toHaveLength(1);
      const properties = blob[0]!.properties as { condition: string; conditionVersion: string };
      expect(properties.conditionVersion).toBe('2.0');
      const condition = String(
        evaluate(rbac().template, properties.condition, { dataStorageAccountName: 'stabc' }),
      );
      const action = (name: string) =>
        `ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${name}'}`;
      expect(condition).toBe(
        `((!(${action('delete')}) AND !(${action('write')}) AND !(${action('move/action')})) OR (@Resource[Microsoft.Storage/storageAccounts:name] StringNotEquals 'stabc'))`,
      );
      // Creating a new blob (Put Blob) is blobs/add/action, and reading is blobs/read: both stay allowed.
      expect(condition).not.toContain('add/action');
      expect(condition).not.toContain('blobs/read');
      // No other grant on the data account gives the app blob access around the condition.
      const dataBlobRoles = app.filter((a) => a.scope === ACCOUNT('dataStorageAccountName')).map(roleGuid);
      expect(dataBlobRoles.sort()).toEqual(
        [ROLE.storageBlobDataContributor, ROLE.storageTableDataContributor].sort(),
      );
    });

    it('give the deploying user read, device provisioning and SAS signing by default, write only when asked', () => {
      const user = assignments().filter((a) => paramRef(a.properties!.principalId) === 'userPrincipalId');
      const granted = (params: Record<string, unknown>) => {
        const values = {
          userPrincipalId: 'me',
          userDataWrite: evaluate(main, rbac().parameters.userDataWrite, params as never),
        };
        return user
          .filter((a) => evaluate(rbac().template, a.condition, values as never) === true)
          .map((a) => `${roleGuid(a)}@${String(a.scope).includes('tables') ? 'table' : 'account'}`)
          .sort();
      };
      expect(granted({})).toEqual(
        [
          `${ROLE.storageBlobDataReader}@account`,
          `${ROLE.storageBlobDelegator}@account`,
          `${ROLE.storageTableDataContributor}@table`,
          `${ROLE.storageTableDataReader}@table`,
        ].sort(),
      );
      expect(granted({ environmentType: 'development' })).toEqual(
        [
          `${ROLE.storageBlobDataContributor}@account`,
          `${ROLE.storageBlobDelegator}@account`,
          `${ROLE.storageTableDataContributor}@account`,
        ].sort(),
      );
      expect(granted({ deployerDataWrite: true })).toEqual(granted({ environmentType: 'development' }));
      expect(rbac().template.variables!.grantUser).toBe("[not(empty(parameters('userPrincipalId')))]");
      const none = user.filter(
        (a) => evaluate(rbac().template, a.condition, { userPrincipalId: '', userDataWrite: false }) === true,
      );
      expect(none).toEqual([]);
      for (const a of user) {
        expect(String(a.condition)).toContain("variables('grantUser')");
        expect(resolveValue(main, 'rbac', a.properties!.principalType)).toEqual(
          MAIN_PARAM('principalType', 'User'),
        );
      }
      expect(resolveValue(main, 'rbac', "[parameters('userPrincipalId')]")).toEqual(
        MAIN_PARAM('principalId', ''),
      );
    });

    it('grant the optional vendor Storage Blob Data Reader on the raw container only', () => {
      const vendor = assignments().filter((a) => paramRef(a.properties!.principalId) === 'vendorPrincipalId');
      expect(vendor).toHaveLength(1);
      const [a] = vendor as [ArmResource];
      expect(roleGuid(a)).toBe(ROLE.storageBlobDataReader);
      expect(a.scope).toBe(CONTAINER);
      expect(a.condition).toBe("[not(empty(parameters('vendorPrincipalId')))]");
      expect(resolveValue(main, 'rbac', "[parameters('rawContainerName')]")).toBe('raw');
      expect(resolveValue(main, 'rbac', "[parameters('vendorPrincipalId')]")).toEqual(
        MAIN_PARAM('vendorPrincipalId', ''),
      );
    });

    it('give the Backup vault its backup role on the data account only when vaulted backup is on', () => {
      const vault = assignments().filter(
        (a) => paramRef(a.properties!.principalId) === 'backupVaultPrincipalId',
      );
      expect(vault.map(roleGuid)).toEqual([ROLE.storageAccountBackupContributor]);
      const passed = (rbac().deployment.properties as { parameters: Record<string, unknown> }).parameters;
      expect(passed.backupVaultPrincipalId).toBe(
        "[if(parameters('enableVaultedBackup'), createObject('value', reference('backupVault').outputs.principalId.value), createObject('value', ''))]",
      );
    });

    it('give the app identity no queue role: only HTTP triggers run, nothing needs host queues', () => {
      const app = assignments().filter((a) => paramRef(a.properties!.principalId) === 'appPrincipalId');
      expect(app.map(roleGuid)).not.toContain('974c5e8b-45b9-4653-ba55-5f855dd0fb88'); // Storage Queue Data Contributor
      const host = app.filter((a) => a.scope === ACCOUNT('hostStorageAccountName')).map(roleGuid);
      expect(host.sort()).toEqual([ROLE.storageBlobDataOwner, ROLE.storageTableDataContributor].sort());
    });

    it('never grant anything on the change feed container: the vendor role stays on `raw`', () => {
      for (const a of assignments()) expect(String(a.scope)).not.toContain('$blobchangefeed');
      const vendor = assignments().filter((a) => paramRef(a.properties!.principalId) === 'vendorPrincipalId');
      expect(vendor.map((a) => a.scope)).toEqual([CONTAINER]);
      expect(vendor[0]).not.toHaveProperty('properties.condition');
    });

    it('scope the data roles to the data account and the owner role to the host account', () => {
      expect(resolveValue(main, 'rbac', "[parameters('dataStorageAccountName')]")).toBe(
        "[format('st{0}', variables('resourceToken'))]",
      );
      expect(resolveValue(main, 'rbac', "[parameters('hostStorageAccountName')]")).toBe(
        "[format('sthost{0}', variables('resourceToken'))]",
      );
    });
  });

  describe('no keys, no secrets', () => {
    it('never reads account keys or builds SAS tokens or key-based connection strings', () => {
      for (const pattern of [
        /listkeys/i,
        /listAccountSas/i,
        /listServiceSas/i,
        /AccountKey=/i,
        /SharedAccessSignature/i,
        /DefaultEndpointsProtocol/i,
        /InstrumentationKey=/i,
      ]) {
        expect({ pattern: pattern.source, found: pattern.test(text) }).toEqual({
          pattern: pattern.source,
          found: false,
        });
      }
    });

    it('has no secure parameters and no secure or secret-looking outputs', () => {
      const templates = [main, ...[...modulesOf(main).values()].map((m) => m.template)];
      for (const template of templates) {
        for (const [name, p] of Object.entries(template.parameters ?? {})) {
          expect({ name, type: p.type.toLowerCase() }).not.toEqual({
            name,
            type: expect.stringMatching(/^secure/),
          });
        }
        for (const [name, o] of Object.entries(template.outputs ?? {})) {
          expect({ name, type: o.type.toLowerCase() }).not.toEqual({
            name,
            type: expect.stringMatching(/^secure/),
          });
          expect(name).not.toMatch(/key|secret|password|token|sas/i);
        }
      }
    });

    it('outputs exactly the documented UPPER_SNAKE values', () => {
      expect(Object.keys(main.outputs!).sort()).toEqual(
        [
          'APPLICATIONINSIGHTS_CONNECTION_STRING',
          'AZURE_LOCATION',
          'AZURE_RESOURCE_GROUP',
          'DATA_STORAGE_ACCOUNT_NAME',
          'DATA_STORAGE_BLOB_ENDPOINT',
          'DATA_STORAGE_TABLE_ENDPOINT',
          'FUNCTION_APP_NAME',
          'FUNCTION_APP_URL',
          'INGEST_ENDPOINT',
          'TABLE_EXPORTS_CONTAINER',
          'APP_ROLE_ASSIGNMENT_IDS',
        ].sort(),
      );
      for (const [name, output] of Object.entries(main.outputs!)) {
        expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(output.type).toBe('string');
      }
      expect(main.outputs!.INGEST_ENDPOINT!.value).toBe(
        "[format('https://{0}/api/ingest/{{deviceId}}', reference('api').outputs.defaultHostName.value)]",
      );
      expect(main.outputs!.AZURE_LOCATION!.value).toBe("[parameters('location')]");
    });
  });

  describe('locations', () => {
    const GLOBAL_TYPES = ['Microsoft.Insights/actionGroups', 'Microsoft.Insights/metricAlerts'];
    it('come from the location parameter for every resource, never a literal', () => {
      const located: string[] = [];
      for (const [symbol, r] of resourcesOf(main)) {
        // A subscription-scope module's deployment record sits in the deployment's own region.
        if (r.location === undefined || r.location === '[deployment().location]') continue;
        expect({ symbol, location: r.location }).toEqual({ symbol, location: "[parameters('location')]" });
        located.push(r.type);
      }
      for (const [symbol, mod] of modulesOf(main)) {
        for (const [name, r] of resourcesOf(mod.template)) {
          if (r.location === undefined) continue;
          // Action groups and metric alerts are global resources: their API takes no region.
          if (GLOBAL_TYPES.includes(r.type)) {
            expect({ symbol, name, location: String(r.location).toLowerCase() }).toEqual({
              symbol,
              name,
              location: 'global',
            });
            continue;
          }
          expect({ symbol, name, location: r.location }).toEqual({
            symbol,
            name,
            location: "[parameters('location')]",
          });
          expect(resolveValue(main, symbol, r.location)).toEqual(MAIN_PARAM('location'));
          located.push(r.type);
        }
      }
      expect(located.sort()).toEqual(
        [
          'Microsoft.Resources/resourceGroups',
          'Microsoft.ManagedIdentity/userAssignedIdentities',
          'Microsoft.Storage/storageAccounts',
          'Microsoft.Storage/storageAccounts',
          'Microsoft.OperationalInsights/workspaces',
          'Microsoft.Insights/components',
          'Microsoft.Web/serverfarms',
          'Microsoft.Web/sites',
          'Microsoft.DataProtection/backupVaults',
          ...Array<string>(7).fill('Microsoft.Insights/scheduledQueryRules'),
          'Microsoft.Insights/workbooks',
        ].sort(),
      );
    });

    it('has no location parameter with a default anywhere', () => {
      expect(main.parameters!.location).not.toHaveProperty('defaultValue');
      for (const mod of modulesOf(main).values()) {
        const p = mod.template.parameters?.location;
        if (p) expect(p).not.toHaveProperty('defaultValue');
      }
    });
  });
});

// --- azd hooks (azure.yaml): no Bicep needed ---------------------------------------------------

type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

/**
 * Just enough YAML for azure.yaml (the project takes no YAML dependency): block mappings, block
 * sequences of scalars, `|`/`>` block scalars, quoted or plain scalars, `#` comments.
 */
function parseYaml(source: string): Record<string, YamlValue> {
  const lines = source
    .split(/\r?\n/)
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
  let i = 0;
  const significant = () => {
    while (i < lines.length && (lines[i]!.text === '' || lines[i]!.text.startsWith('#'))) i++;
    return lines[i];
  };
  const scalar = (value: string): string => {
    const unquoted = /^(['"])(.*)\1$/.exec(value);
    return unquoted ? unquoted[2]! : value.replace(/\s+#.*$/, '');
  };
  const block = (indent: number): YamlValue => {
    const first = significant();
    if (!first || first.indent < indent) return '';
    if (first.text.startsWith('- ')) {
      const items: YamlValue[] = [];
      for (
        let line = significant();
        line && line.indent === first.indent && line.text.startsWith('- ');
        line = significant()
      ) {
        items.push(scalar(line.text.slice(2).trim()));
        i++;
      }
      return items;
    }
    const map: Record<string, YamlValue> = {};
    for (let line = significant(); line && line.indent === first.indent; line = significant()) {
      const m = /^([^:#]+):(?:\s+(.*))?$/.exec(line.text);
      if (!m) throw new Error(`unsupported YAML line ${i + 1}: ${line.text}`);
      const key = m[1]!.trim();
      const rest = (m[2] ?? '').trim();
      i++;
      if (rest === '' || rest.startsWith('#')) map[key] = block(line.indent + 1);
      else if (/^[|>][-+]?$/.test(rest)) {
        const body: string[] = [];
        while (i < lines.length && (lines[i]!.text === '' || lines[i]!.indent > line.indent)) {
          body.push(lines[i]!.text);
          i++;
        }
        map[key] = body.join('\n').trim();
      } else map[key] = scalar(rest);
    }
    return map;
  };
  return block(0) as Record<string, YamlValue>;
}

describe('azure.yaml', () => {
  const azureYaml = parseYaml(readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8'));

  it('is read by the little YAML parser the way azd reads it', () => {
    expect(azureYaml).toMatchObject({
      name: 'telemetry-ingest',
      infra: { provider: 'bicep', path: 'infra', module: 'main' },
      services: { api: { host: 'function', language: 'ts' } },
    });
  });

  const hooks = () => azureYaml.hooks as Record<string, Record<string, Record<string, string>>>;
  const hookFile = (name: string) => readFileSync(join(REPO_ROOT, 'scripts', 'infra', 'hooks', name), 'utf8');

  it('runs both hooks in both shells, and stops azd when they fail', () => {
    for (const [event, script] of [
      ['preprovision', 'register-providers'],
      ['predeploy', 'wait-for-roles'],
    ] as const) {
      expect(hooks()[event]!.posix).toEqual({
        shell: 'sh',
        run: `sh scripts/infra/hooks/${script}.sh`,
        continueOnError: 'false',
      });
      expect(hooks()[event]!.windows).toEqual({
        shell: 'pwsh',
        run: `scripts/infra/hooks/${script}.ps1`,
        continueOnError: 'false',
      });
    }
  });

  /**
   * Runs a posix hook with PATH holding only a fake `az` (driven by FAKE_* variables, logging every
   * call), a fake `sleep` that only logs (no test waits), and the real `date`. A real az on the
   * machine is never reached from a test.
   */
  const runPosixHook = (script: string, env: Record<string, string>, withAz = true) => {
    const dir = tempDir('fake-az');
    const log = join(dir, 'calls.log');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const tool = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    if (withAz) {
      tool(
        'az',
        [
          `echo "az $*" >> "${log}"`,
          'sub=; prev=',
          'for a in "$@"; do [ "$prev" = "--subscription" ] && sub=$a; prev=$a; done',
          'case "$1 $2" in',
          '"account show")',
          '  if [ -n "$sub" ]; then case " ${FAKE_SUBSCRIPTIONS:-} " in *" $sub "*) echo "$sub"; exit 0;; esac;',
          `    echo "ERROR: Subscription '$sub' not found." >&2; exit 1; fi`,
          '  [ -n "${FAKE_USER:-}" ] && echo "$FAKE_USER" && exit 0; exit 1;;',
          '"provider show") echo "${FAKE_STATE:-Registered}";;',
          '"role assignment")',
          `  n=0; [ -f "${dir}/count" ] && read -r n < "${dir}/count"; n=$((n + 1)); echo $n > "${dir}/count"`,
          '  [ "$n" -gt "${FAKE_MISSING_CALLS:-0}" ] && echo "${FAKE_CREATED_ON:-}";;',
          'esac',
          'exit 0',
        ].join('\n'),
      );
    }
    tool('sleep', `echo "sleep $1" >> "${log}"`);
    const date = spawnSync('sh', ['-c', 'command -v date'], { encoding: 'utf8' }).stdout.trim();
    tool('date', `exec ${date} "$@"`);
    const shell = spawnSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).stdout.trim();
    const result = spawnSync(shell, [`scripts/infra/hooks/${script}.sh`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: bin, ...env },
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      // nothing ran
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  };
  const posix = process.platform === 'win32' ? it.skip : it;
  const SIGNED_IN = {
    AZURE_SUBSCRIPTION_ID: 'sub-1',
    FAKE_SUBSCRIPTIONS: 'sub-1',
    FAKE_USER: 'me@contoso.com',
  };

  describe('az session (both hooks): the subscription azd deploys to, or a clear stop', () => {
    for (const script of ['register-providers', 'wait-for-roles']) {
      posix(`${script}: stops with the install hint when the Azure CLI is missing`, () => {
        const run = runPosixHook(script, { AZURE_SUBSCRIPTION_ID: 'sub-1' }, false);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('the Azure CLI (az) is needed and was not found on PATH');
      });

      posix(`${script}: never falls back to az's default subscription`, () => {
        const run = runPosixHook(script, { FAKE_SUBSCRIPTIONS: 'sub-1', FAKE_USER: 'me@contoso.com' });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('AZURE_SUBSCRIPTION_ID is not set');
        expect(run.calls.filter((c) => c.startsWith('az '))).toEqual([]);
      });

      posix(`${script}: stops when az is signed in to an account that cannot see the subscription`, () => {
        const run = runPosixHook(script, {
          AZURE_SUBSCRIPTION_ID: 'sub-1',
          AZURE_TENANT_ID: 'tenant-1',
          FAKE_SUBSCRIPTIONS: 'other-sub',
          FAKE_USER: 'someone@elsewhere.com',
        });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('the Azure CLI cannot use subscription sub-1, the one azd deploys to');
        expect(run.stderr).toContain('It is signed in as someone@elsewhere.com');
        expect(run.stderr).toContain('Run: az login --tenant tenant-1');
      });
    }

    it('has the same checks and messages in the PowerShell scripts (pwsh is not installed here: read, not run)', () => {
      const sh = hookFile('az-session.sh');
      const ps = hookFile('az-session.ps1');
      for (const message of [
        'the Azure CLI (az) is needed and was not found on PATH.',
        'AZURE_SUBSCRIPTION_ID is not set. azd sets it for its hooks',
        ', the one azd deploys to.',
        'who cannot see that subscription (another account or tenant).',
        '(the account azd uses: azd auth login --check-status)',
      ]) {
        expect({ message, sh: sh.includes(message), ps: ps.includes(message) }).toEqual({
          message,
          sh: true,
          ps: true,
        });
      }
      expect(ps).toMatch(/az account show --subscription \$env:AZURE_SUBSCRIPTION_ID/);
      for (const file of ['register-providers.ps1', 'wait-for-roles.ps1']) {
        const script = hookFile(file);
        expect(script).toContain(". (Join-Path $PSScriptRoot 'az-session.ps1')");
        expect(script).toMatch(/Assert-AzSession '(preprovision|predeploy)'/);
        // Every az call names azd's subscription.
        for (const line of script.split('\n').filter((l) => /^\s*(\$\w+ = )?az /.test(l)))
          expect({
            file,
            line,
            subscription: line.includes('--subscription $env:AZURE_SUBSCRIPTION_ID'),
          }).toEqual({
            file,
            line,
            subscription: true,
          });
      }
    });
  });

  describe('preprovision: registers Microsoft.App for a first Flex Consumption deployment', () => {
    posix("leaves an already registered provider alone (no register call), on azd's subscription", () => {
      const run = runPosixHook('register-providers', { ...SIGNED_IN, FAKE_STATE: 'Registered' });
      expect(run.status).toBe(0);
      expect(run.calls).toEqual([
        'az account show --subscription sub-1 --query id --output tsv',
        'az provider show --namespace Microsoft.App --subscription sub-1 --query registrationState --output tsv',
      ]);
    });

    posix('registers an unregistered provider and waits for it', () => {
      const run = runPosixHook('register-providers', { ...SIGNED_IN, FAKE_STATE: 'NotRegistered' });
      expect(run.status).toBe(0);
      expect(run.calls.slice(1)).toEqual([
        'az provider show --namespace Microsoft.App --subscription sub-1 --query registrationState --output tsv',
        'az provider register --namespace Microsoft.App --subscription sub-1 --wait',
      ]);
    });

    posix('fails with the manual command when the Azure CLI is missing', () => {
      const run = runPosixHook('register-providers', { AZURE_SUBSCRIPTION_ID: 'sub-1' }, false);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('az provider register --namespace Microsoft.App --wait');
    });

    it('has a PowerShell twin that checks first and registers with --wait', () => {
      const script = hookFile('register-providers.ps1');
      expect(script).toMatch(/az provider show --namespace \$namespace .*--query registrationState/);
      expect(script).toMatch(/az provider register --namespace \$namespace .*--wait/);
    });
  });

  describe("predeploy: waits for the app identity's role assignments before the code deploy", () => {
    const ids = [
      '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sthostx/providers/Microsoft.Authorization/roleAssignments/11111111-1111-1111-1111-111111111111',
      '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Insights/components/appi-x/providers/Microsoft.Authorization/roleAssignments/22222222-2222-2222-2222-222222222222',
    ].join(' ');
    const ago = (seconds: number) =>
      new Date(Date.now() - seconds * 1000).toISOString().replace('Z', '+00:00');
    const sleeps = (calls: string[]) =>
      calls.filter((c) => c.startsWith('sleep ')).map((c) => Number(c.slice(6)));

    posix('does not wait at all for assignments created long ago', () => {
      const run = runPosixHook('wait-for-roles', {
        ...SIGNED_IN,
        APP_ROLE_ASSIGNMENT_IDS: ids,
        FAKE_CREATED_ON: ago(3600),
      });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(sleeps(run.calls)).toEqual([]);
      expect(run.calls.filter((c) => c.startsWith('az role'))).toEqual([
        "az role assignment list --scope /subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sthostx --subscription sub-1 --query [?name=='11111111-1111-1111-1111-111111111111'].createdOn | [0] --output tsv",
        "az role assignment list --scope /subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Insights/components/appi-x --subscription sub-1 --query [?name=='22222222-2222-2222-2222-222222222222'].createdOn | [0] --output tsv",
      ]);
      expect(run.stdout).toContain("The app's role assignments are in place.");
    });

    posix('polls until the assignments appear, then waits out the propagation time of the newest', () => {
      const run = runPosixHook('wait-for-roles', {
        ...SIGNED_IN,
        APP_ROLE_ASSIGNMENT_IDS: ids,
        FAKE_MISSING_CALLS: '2',
        FAKE_CREATED_ON: ago(60),
        ROLE_WAIT_INTERVAL_SECONDS: '10',
        ROLE_PROPAGATION_SECONDS: '600',
      });
      expect(run.status).toBe(0);
      const waits = sleeps(run.calls);
      expect(waits.slice(0, 2)).toEqual([10, 10]);
      expect(waits).toHaveLength(3);
      // 600 s after creation, less the 60 s already passed (and the second or two this test took).
      expect(waits[2]).toBeGreaterThanOrEqual(530);
      expect(waits[2]).toBeLessThanOrEqual(540);
      expect(run.stdout).toMatch(/Waiting 5[34]\ds more for Azure RBAC/);
    });

    posix('gives up with a clear message when an assignment never appears', () => {
      const run = runPosixHook('wait-for-roles', {
        ...SIGNED_IN,
        APP_ROLE_ASSIGNMENT_IDS: ids,
        FAKE_MISSING_CALLS: '1000',
        ROLE_WAIT_TIMEOUT_SECONDS: '30',
        ROLE_WAIT_INTERVAL_SECONDS: '10',
      });
      expect(run.status).toBe(1);
      expect(sleeps(run.calls)).toEqual([10, 10, 10]);
      expect(run.stderr).toContain(
        'predeploy: role assignment 11111111-1111-1111-1111-111111111111 on /subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sthostx did not appear within 30s.',
      );
      expect(run.stderr).toContain("then run 'azd deploy' again");
    });

    posix('needs the deployment output listing the assignments', () => {
      const run = runPosixHook('wait-for-roles', SIGNED_IN);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("APP_ROLE_ASSIGNMENT_IDS is not set: run 'azd provision' first");
    });

    it('has a PowerShell twin with the same settings, defaults and messages', () => {
      const ps = hookFile('wait-for-roles.ps1');
      const sh = hookFile('wait-for-roles.sh');
      for (const fragment of [
        'ROLE_WAIT_TIMEOUT_SECONDS',
        'ROLE_WAIT_INTERVAL_SECONDS',
        'ROLE_PROPAGATION_SECONDS',
        "APP_ROLE_ASSIGNMENT_IDS is not set: run 'azd provision' first",
        "then run 'azd deploy' again",
        "The app's role assignments are in place.",
        '--query "[?name==\'$name\'].createdOn | [0]" --output tsv',
      ]) {
        expect({ fragment, sh: sh.includes(fragment), ps: ps.includes(fragment) }).toEqual({
          fragment,
          sh: true,
          ps: true,
        });
      }
      expect(ps).toMatch(/\{ 300 \}[\s\S]*\{ 10 \}[\s\S]*\{ 600 \}/);
    });
  });
});
