// Resource logs to Log Analytics, so that who read, wrote or deleted what can be answered later:
// every request to the data account's blob and table services (StorageRead, StorageWrite,
// StorageDelete: caller identity, operation, object, status) and the Function App's own logs.
// The subscription's Activity Log (who changed or deleted resources, locks, role assignments) is
// exported by core/activity-log.bicep.

@description('Name of the data storage account.')
param dataStorageAccountName string

@description('Name of the Function App.')
param functionAppName string

@description('Resource id of the Log Analytics workspace that receives the logs.')
param workspaceId string

var settingName = 'to-log-analytics'

// Every log category of the resource (for storage services: StorageRead, StorageWrite, StorageDelete;
// for a Function App: FunctionAppLogs), into resource-specific tables (StorageBlobLogs, ...).
var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]

resource dataAccount 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// 2021-05-01-preview: the newest version, and the one Microsoft's samples use. The linter's date rule
// would point at 2016-09-01, the legacy shape without categoryGroup or subscription scope.
#disable-next-line use-recent-api-versions
resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataAccount::blobService
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: allLogs
  }
}

#disable-next-line use-recent-api-versions
resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataAccount::tableService
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: allLogs
  }
}

#disable-next-line use-recent-api-versions
resource functionAppLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: site
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: allLogs
  }
}
