// Every role assignment of the stack, in one place. Names are guid(scope id, principal id, role
// definition id): deterministic, so re-deploying is idempotent and never duplicates an assignment.

@description('Name of the data storage account.')
param dataStorageAccountName string

@description('Name of the raw telemetry container in the data storage account.')
param rawContainerName string

@description('Name of the function host storage account (holds the deployment-package container).')
param hostStorageAccountName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Principal (object) id of the Function App user-assigned identity.')
param appPrincipalId string

@description('Optional principal id of the deploying user, granted data access for the CLI tools. Empty: none.')
param userPrincipalId string

@description('Principal type of userPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param userPrincipalType string

@description('Optional principal id of a vendor granted read-only access to the raw container. Empty: none.')
param vendorPrincipalId string

@description('Principal type of vendorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param vendorPrincipalType string

// Built-in role definitions (ids are the same in every tenant and cloud).
var storageBlobDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
)
var storageTableDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
)
var storageBlobDataOwner = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
)
var storageBlobDataReader = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
)
var monitoringMetricsPublisher = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '3913510d-42f4-4e42-8a64-420c390055eb'
)

resource dataAccount 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource rawContainer 'containers' existing = {
      name: rawContainerName
    }
  }
}

resource hostAccount 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: hostStorageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// --- Function App identity -------------------------------------------------------------------

resource appDataBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataAccount.id, appPrincipalId, storageBlobDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageBlobDataContributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appDataTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataAccount.id, appPrincipalId, storageTableDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Flex Consumption reads the deployment package and the host keeps its state in this account.
resource appHostBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostAccount.id, appPrincipalId, storageBlobDataOwner)
  scope: hostAccount
  properties: {
    roleDefinitionId: storageBlobDataOwner
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The host also writes its diagnostic events to Table storage in AzureWebJobsStorage (event
// AZFD0003 when it cannot). No queue role: only HTTP triggers run here; blob triggers, Durable
// Functions and similar extensions would need Storage Queue Data Contributor on this account.
resource appHostTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostAccount.id, appPrincipalId, storageTableDataContributor)
  scope: hostAccount
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: monitoringMetricsPublisher
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// --- Deploying user (device CLI and local tooling against the deployed account) ----------------

resource userDataBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(dataAccount.id, userPrincipalId, storageBlobDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageBlobDataContributor
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource userDataTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(dataAccount.id, userPrincipalId, storageTableDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// --- Vendor: read-only, and only the raw container -----------------------------------------------

resource vendorRawReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vendorPrincipalId)) {
  name: guid(dataAccount::blobService::rawContainer.id, vendorPrincipalId, storageBlobDataReader)
  scope: dataAccount::blobService::rawContainer
  properties: {
    roleDefinitionId: storageBlobDataReader
    principalId: vendorPrincipalId
    principalType: vendorPrincipalType
  }
}
