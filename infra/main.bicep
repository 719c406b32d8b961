// Telemetry ingest: the whole stack, keyless, deployable with `azd up` (see docs/DEPLOY.md).
//
//   resource group rg-<environmentName>
//   ├─ user-assigned identity  id-api-<token>        the app's only credential
//   ├─ storage  st<token>                             data: containers raw + table-exports, tables
//   │                                                   idempotency + devices; delete lock, PITR
//   ├─ Backup vault bvault-<token>                    vaulted daily copy of the data containers
//   ├─ storage  sthost<token>                         Functions host state + deployment package
//   ├─ Log Analytics log-<token> + App Insights appi-<token>   local auth disabled
//   ├─ Flex Consumption plan plan-<token> + Function App func-api-<token>
//   ├─ diagnostic settings (core/diagnostics.bicep)   blob + table + Function App logs
//   └─ role assignments (app/rbac.bicep)
//   subscription: Activity Log export to log-<token> (core/activity-log.bicep)
//
// API versions: the newest stable ones that the Bicep CLI installed by azd knows (azd 1.29-1.31 fetch
// Bicep 0.45.15, which bundles Azure.Bicep.Types.Az 0.2.881), so `azd provision` compiles without
// BCP081 warnings: Storage 2026-04-01, Web 2025-03-01, OperationalInsights 2025-07-01, Resources
// 2025-04-01, ManagedIdentity 2024-11-30, Insights 2020-02-02, roleAssignments 2022-04-01, locks
// 2020-05-01, diagnosticSettings 2021-05-01-preview, DataProtection 2025-01-01. Newer ones
// only once azd's Bicep knows them (test/infra/lint.test.ts holds the table; docs/DEPLOY.md).
targetScope = 'subscription'

// --- azd conventions ----------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the resource-name token.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Principal id of the deploying user (azd fills it from AZURE_PRINCIPAL_ID). Gets blob + table data access on the data account for the CLI tools. Empty: no grant.')
param principalId string = ''

@description('Principal type of principalId: User for an interactive login, ServicePrincipal for CI.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Optional name of the resource group. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('production (default): delete locks, vaulted backup, no standing write access for the deploying user. development: a throw-away environment without them. Each can also be set on its own below.')
@allowed([
  'production'
  'development'
])
param environmentType string = 'production'

@description('CanNotDelete lock on the data account and the Backup vault: `azd down` and any delete fail until the lock is removed on purpose.')
param lockData bool = environmentType == 'production'

@description('Give the deploying user (principalId) write and delete access to the data account\'s blobs and tables. Off: read, device provisioning and vendor SAS signing only.')
param deployerDataWrite bool = environmentType != 'production'

// --- Vendor access --------------------------------------------------------------------------------

@description('Optional principal id of a vendor (user, group or service principal) granted Storage Blob Data Reader on the raw container only. Empty: no grant.')
param vendorPrincipalId string = ''

@description('Principal type of vendorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param vendorPrincipalType string = 'ServicePrincipal'

// --- Data storage ---------------------------------------------------------------------------------

// The data account holds the only copy of every file once the gateway deletes its own, so it is
// zone-redundant by default (ZRS: 3 zones, >= 12 nines durability a year; LRS: 1 datacenter, 11).
// Standard_LRS stays available as an explicit choice, e.g. for a region without availability zones.
@description('SKU (redundancy) of the data storage account. ZRS/GZRS survive a zone outage but cannot use the Archive tier; LRS keeps all copies in one datacenter.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param dataStorageSku string = 'Standard_ZRS'

@description('Blob soft delete retention, in days.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 14

@description('Container soft delete retention, in days.')
@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int = 14

@description('Lifecycle: days after last modification before raw blobs move to the Cool tier.')
@minValue(1)
param rawCoolAfterDays int = 30

@description('Lifecycle: days after last modification before raw blobs move to the long-term tier (must exceed rawCoolAfterDays).')
@minValue(2)
param rawLongTermAfterDays int = 180

@description('Lifecycle: long-term tier for raw blobs, Cold (online) or Archive (offline, needs rehydration).')
@allowed([
  'Cold'
  'Archive'
])
param rawLongTermTier string = 'Cold'

@description('Blob change feed on the data account: an ordered (per blob), resumable log of blob creations in $blobchangefeed.')
param enableChangeFeed bool = true

@description('Change feed retention, in days (1-146000).')
@minValue(1)
@maxValue(146000)
param changeFeedRetentionDays int = 90

@description('Time-based retention (WORM) policy on the raw container: none, unlocked (created and updated by the template), or locked (set after locking it by hand: the template then never sends the policy again).')
@allowed([
  'none'
  'unlocked'
  'locked'
])
param rawImmutability string = 'none'

@description('Retention of the raw container immutability policy, in days since blob creation.')
@minValue(1)
@maxValue(146000)
param rawImmutabilityDays int = 365

@description('Point-in-time restore window for block blobs, in days (0: off). Must be less than blobSoftDeleteDays; needs the change feed.')
@minValue(0)
@maxValue(364)
param pointInTimeRestoreDays int = 7

// --- Second copy --------------------------------------------------------------------------------

@description('Vaulted Azure Backup of the data containers (raw, table-exports) into a Backup vault: the second copy.')
param enableVaultedBackup bool = environmentType == 'production'

@description('Days each daily vaulted recovery point is kept (7-3650).')
@minValue(7)
@maxValue(3650)
param backupRetentionDays int = 90

@description('Redundancy of the Backup vault storage. GeoRedundant also keeps the copy in the paired region.')
@allowed([
  'LocallyRedundant'
  'ZoneRedundant'
  'GeoRedundant'
])
param backupVaultRedundancy string = 'GeoRedundant'

// --- Function App ----------------------------------------------------------------------------------

@description('Flex Consumption: upper bound of on-demand instances (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Flex Consumption: memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Largest accepted request body, in bytes (app setting MAX_BODY_BYTES).')
@minValue(1)
param maxBodyBytes int = 10485760

@description('Timeout of each storage call, in milliseconds (app setting STORAGE_TIMEOUT_MS).')
@minValue(1)
param storageTimeoutMs int = 10000

@description('Log Analytics retention, in days.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Export the subscription\'s Activity Log to this environment\'s Log Analytics workspace (a subscription-scope diagnostic setting; at most five per subscription).')
param exportActivityLog bool = true

// --- Alerts (core/alerts.bicep; docs/OPERATIONS.md is the runbook) ------------------------------

@description('E-mail addresses that receive every alert.')
param alertEmails string[] = []

@description('Webhooks that receive every alert (common alert schema). Kept in the deployment history in clear: no URL carrying a token.')
param alertWebhookUrls string[] = []

@description('Alerts created switched off: deviceSilence, serverErrors, fleetSilence, failedKeys, clock, orphans, sweepStalled, storageAvailability, storageLatency.')
param disabledAlerts (
  | 'deviceSilence'
  | 'serverErrors'
  | 'fleetSilence'
  | 'failedKeys'
  | 'clock'
  | 'orphans'
  | 'sweepStalled'
  | 'storageAvailability'
  | 'storageLatency')[] = []

@description('Percentage of ingest requests answered 5xx in 5 minutes above which serverErrors fires.')
@minValue(1)
@maxValue(100)
param alertServerErrorPercent int = 5

@description('How long without any accepted file before fleetSilence fires.')
@allowed([
  'PT15M'
  'PT30M'
  'PT45M'
  'PT1H'
  'PT2H'
  'PT3H'
  'PT6H'
])
param alertFleetSilenceWindow string = 'PT30M'

@description('Refused keys in 5 minutes from one address (failedKeys).')
@minValue(1)
param alertFailedKeysPerAddress int = 30

@description('Refused keys in 5 minutes from all addresses together (failedKeys).')
@minValue(1)
param alertFailedKeysTotal int = 100

// --- Guards: combinations Azure refuses, refused here first with a message ------------------------

// Regions that offer ZRS and GZRS for standard general-purpose v2 accounts
// (learn.microsoft.com/azure/storage/common/redundancy-regions-zrs and redundancy-regions-gzrs).
// Update these lists when Microsoft adds regions.
var zrsRegions = [
  'australiaeast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'chinanorth3'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'israelcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'mexicocentral'
  'northeurope'
  'norwayeast'
  'polandcentral'
  'qatarcentral'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'spaincentral'
  'swedencentral'
  'switzerlandnorth'
  'uaenorth'
  'uksouth'
  'usgovvirginia'
  'westeurope'
  'westus2'
  'westus3'
]
var gzrsRegions = [
  'australiaeast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'japaneast'
  'koreacentral'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'switzerlandnorth'
  'uaenorth'
  'uksouth'
  'usgovvirginia'
  'westeurope'
  'westus2'
  'westus3'
]
var zoneRedundantSku = contains(['Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS'], dataStorageSku)
var geoZoneRedundantSku = contains(['Standard_GZRS', 'Standard_RAGZRS'], dataStorageSku)
var normalizedLocation = toLower(replace(location, ' ', ''))

// fail() stops the deployment with its message when the value is evaluated; these values feed the
// data account's module, so a refused combination stops before anything is created.
var checkedDataStorageSku = zoneRedundantSku && !contains(zrsRegions, normalizedLocation)
  ? fail('dataStorageSku ${dataStorageSku} needs a region with availability zones; ${location} does not offer ZRS for standard accounts. Choose such a region or Standard_LRS / Standard_GRS.')
  : geoZoneRedundantSku && !contains(gzrsRegions, normalizedLocation)
      ? fail('dataStorageSku ${dataStorageSku}: ${location} does not offer geo-zone-redundant storage. Choose Standard_ZRS or Standard_GRS.')
      : rawLongTermTier == 'Archive' && zoneRedundantSku
          ? fail('rawLongTermTier Archive is not available with ${dataStorageSku}: the Archive tier needs Standard_LRS, Standard_GRS or Standard_RAGRS.')
          : dataStorageSku
var checkedLongTermAfterDays = rawLongTermAfterDays <= rawCoolAfterDays
  ? fail('rawLongTermAfterDays (${rawLongTermAfterDays}) must be greater than rawCoolAfterDays (${rawCoolAfterDays}): a blob moves to Cool before it moves on.')
  : rawLongTermAfterDays
var checkedRestoreDays = pointInTimeRestoreDays > 0 && pointInTimeRestoreDays >= blobSoftDeleteDays
  ? fail('pointInTimeRestoreDays (${pointInTimeRestoreDays}) must be less than blobSoftDeleteDays (${blobSoftDeleteDays}).')
  : pointInTimeRestoreDays > 0 && !enableChangeFeed
      ? fail('pointInTimeRestoreDays needs the change feed: set enableChangeFeed, or pointInTimeRestoreDays to 0.')
      : pointInTimeRestoreDays

// --- Names ----------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Fixed names the application reads through its app settings.
var rawContainerName = 'raw'
var exportsContainerName = 'table-exports'
var idempotencyTableName = 'idempotency'
var devicesTableName = 'devices'
var deploymentContainerName = 'deployment-package'

// Resource names are computed here (not read back from module outputs) so that they are known when
// the deployment starts: what-if can then predict every resource id.
var identityName = 'id-api-${resourceToken}'
var dataStorageAccountName = 'st${resourceToken}'
var hostStorageAccountName = 'sthost${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var functionAppName = 'func-api-${resourceToken}'
var planName = 'plan-${resourceToken}'
var backupVaultName = 'bvault-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'core/identity.bicep' = {
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module dataStorage 'core/storage.bicep' = {
  scope: rg
  params: {
    name: dataStorageAccountName
    location: location
    tags: tags
    skuName: checkedDataStorageSku
    rawContainerName: rawContainerName
    exportsContainerName: exportsContainerName
    idempotencyTableName: idempotencyTableName
    devicesTableName: devicesTableName
    blobSoftDeleteDays: blobSoftDeleteDays
    containerSoftDeleteDays: containerSoftDeleteDays
    rawCoolAfterDays: rawCoolAfterDays
    rawLongTermAfterDays: checkedLongTermAfterDays
    rawLongTermTier: rawLongTermTier
    enableChangeFeed: enableChangeFeed
    changeFeedRetentionDays: changeFeedRetentionDays
    rawImmutability: rawImmutability
    rawImmutabilityDays: rawImmutabilityDays
    restoreDays: checkedRestoreDays
    lockAccount: lockData
  }
}

module backupVault 'core/backup-vault.bicep' = if (enableVaultedBackup) {
  scope: rg
  params: {
    name: backupVaultName
    location: location
    tags: tags
    storageRedundancy: backupVaultRedundancy
    retentionDays: backupRetentionDays
    dailyBackupTime: '02:00'
    lockVault: lockData
  }
}

module hostStorage 'core/host-storage.bicep' = {
  scope: rg
  params: {
    name: hostStorageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'core/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module api 'app/api.bicep' = {
  scope: rg
  params: {
    name: functionAppName
    planName: planName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorageAccountName
    hostStorageBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: hostStorage.outputs.deploymentContainerName
    dataStorageAccountName: dataStorageAccountName
    dataStorageBlobEndpoint: dataStorage.outputs.blobEndpoint
    dataStorageTableEndpoint: dataStorage.outputs.tableEndpoint
    rawContainerName: rawContainerName
    exportsContainerName: exportsContainerName
    idempotencyTableName: idempotencyTableName
    devicesTableName: devicesTableName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    maxBodyBytes: maxBodyBytes
    storageTimeoutMs: storageTimeoutMs
  }
}

module rbac 'app/rbac.bicep' = {
  scope: rg
  // The names below are plain strings, so the scopes must be created first explicitly.
  dependsOn: [
    dataStorage
    hostStorage
    monitoring
  ]
  params: {
    dataStorageAccountName: dataStorageAccountName
    rawContainerName: rawContainerName
    devicesTableName: devicesTableName
    idempotencyTableName: idempotencyTableName
    hostStorageAccountName: hostStorageAccountName
    applicationInsightsName: applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    userDataWrite: deployerDataWrite
    vendorPrincipalId: vendorPrincipalId
    vendorPrincipalType: vendorPrincipalType
    backupVaultPrincipalId: enableVaultedBackup ? backupVault!.outputs.principalId : ''
  }
}

module backupInstance 'core/backup-instance.bicep' = if (enableVaultedBackup) {
  scope: rg
  // Configuring protection checks the vault's role on the account, granted in rbac.
  dependsOn: [
    rbac
  ]
  params: {
    vaultName: backupVault!.outputs.name
    policyId: backupVault!.outputs.policyId
    storageAccountName: dataStorage.outputs.name
    location: location
    containers: [
      rawContainerName
      exportsContainerName
    ]
  }
}

module diagnostics 'core/diagnostics.bicep' = {
  scope: rg
  params: {
    dataStorageAccountName: dataStorage.outputs.name
    functionAppName: api.outputs.name
    workspaceId: monitoring.outputs.logAnalyticsId
  }
}

module alerts 'core/alerts.bicep' = {
  scope: rg
  dependsOn: [
    monitoring
    dataStorage
  ]
  params: {
    location: location
    tags: tags
    applicationInsightsId: resourceId(subscription().subscriptionId, rg.name, 'Microsoft.Insights/components', applicationInsightsName)
    dataStorageAccountId: resourceId(subscription().subscriptionId, rg.name, 'Microsoft.Storage/storageAccounts', dataStorageAccountName)
    alertEmails: alertEmails
    alertWebhookUrls: alertWebhookUrls
    disabledAlerts: disabledAlerts
    serverErrorPercent: alertServerErrorPercent
    fleetSilenceWindow: alertFleetSilenceWindow
    failedKeysPerAddress: alertFailedKeysPerAddress
    failedKeysTotal: alertFailedKeysTotal
  }
}

module workbook 'core/workbook.bicep' = {
  scope: rg
  dependsOn: [
    monitoring
  ]
  params: {
    location: location
    tags: tags
    applicationInsightsId: resourceId(subscription().subscriptionId, rg.name, 'Microsoft.Insights/components', applicationInsightsName)
  }
}

module activityLog 'core/activity-log.bicep' = if (exportActivityLog) {
  params: {
    name: 'activity-log-to-${logAnalyticsName}'
    workspaceId: monitoring.outputs.logAnalyticsId
  }
}

// --- Outputs (azd stores them in .azure/<env>/.env; none is a secret) ----------------------------

@description('Region of the deployment.')
output AZURE_LOCATION string = location

@description('Resource group holding the stack.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Ingest URL template; replace {deviceId}.')
output INGEST_ENDPOINT string = 'https://${api.outputs.defaultHostName}/api/ingest/{deviceId}'

@description('Base URL of the Function App (for npm run smoke).')
output FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostName}'

@description('Name of the Function App.')
output FUNCTION_APP_NAME string = api.outputs.name

@description('Name of the data storage account (for the device CLI).')
output DATA_STORAGE_ACCOUNT_NAME string = dataStorage.outputs.name

@description('Blob endpoint of the data storage account.')
output DATA_STORAGE_BLOB_ENDPOINT string = dataStorage.outputs.blobEndpoint

@description('Table endpoint of the data storage account.')
output DATA_STORAGE_TABLE_ENDPOINT string = dataStorage.outputs.tableEndpoint

@description('Container of the scheduled table exports (for npm run ops -- restore-tables).')
output TABLE_EXPORTS_CONTAINER string = dataStorage.outputs.exportsContainerName

@description('Resource ids of the app identity\'s role assignments, space-separated (the predeploy hook waits for them).')
output APP_ROLE_ASSIGNMENT_IDS string = rbac.outputs.appRoleAssignmentIds

@description('Application Insights connection string (not a credential: local auth is disabled).')
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
