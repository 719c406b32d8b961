// Every role assignment of the stack, in one place. Names are guid(scope id, principal id, role
// definition id): deterministic, so re-deploying is idempotent and never duplicates an assignment.
//
// The data account holds the only copy of every stored file, so no identity this template grants
// can delete or overwrite a blob there: the app may create and read blobs only (a role assignment
// condition), and the deploying user gets read access unless write access is asked for.

@description('Name of the data storage account.')
param dataStorageAccountName string

@description('Name of the raw telemetry container in the data storage account.')
param rawContainerName string

@description('Name of the devices table in the data storage account.')
param devicesTableName string

@description('Name of the idempotency table in the data storage account.')
param idempotencyTableName string

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

@description('Give the deploying user write and delete access to blobs and tables (break-glass, restores); otherwise read access, device provisioning and SAS signing only.')
param userDataWrite bool

@description('Optional principal id of a vendor granted read-only access to the raw container. Empty: none.')
param vendorPrincipalId string

@description('Principal type of vendorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param vendorPrincipalType string

@description('Principal id of the Backup vault\'s system-assigned identity; empty when vaulted backup is off.')
param backupVaultPrincipalId string

// Built-in role definitions (ids are the same in every tenant and cloud).
var storageBlobDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
)
var storageBlobDataReader = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
)
var storageBlobDelegator = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
)
var storageBlobDataOwner = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
)
var storageTableDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
)
var storageTableDataReader = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '76199698-9eea-4c19-bc75-cec21354c6b6'
)
var storageAccountBackupContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1'
)
var monitoringMetricsPublisher = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '3913510d-42f4-4e42-8a64-420c390055eb'
)

// Storage Blob Data Contributor without delete, overwrite or rename. Put Blob needs
// blobs/add/action to create a new blob and blobs/write only to replace one (and Put Block, Put Block
// List, Set Blob Properties/Metadata/Tier, Lease and Snapshot all need blobs/write), so the app keeps
// add/action and read: a conditional create (If-None-Match: *), Get Blob Properties, List Blobs.
// The condition syntax allows an action only where its expression holds; this assignment's scope is
// this one account, where `StringNotEquals <this account>` never does, so the three actions are
// refused everywhere it reaches.
var createAndReadOnlyCondition = '((!(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action\'})) OR (@Resource[Microsoft.Storage/storageAccounts:name] StringNotEquals \'${dataStorageAccountName}\'))'

resource dataAccount 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource rawContainer 'containers' existing = {
      name: rawContainerName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource devicesTable 'tables' existing = {
      name: devicesTableName
    }

    resource idempotencyTable 'tables' existing = {
      name: idempotencyTableName
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
    condition: createAndReadOnlyCondition
    conditionVersion: '2.0'
    description: 'Create and read blobs only: no delete, no overwrite, no rename (the data account holds the only copy).'
  }
}

// Table Storage has no role conditions: the app inserts and updates idempotency entries and touches
// device keys, so it needs the contributor role on the tables.
resource appDataTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataAccount.id, appPrincipalId, storageTableDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Flex Consumption reads the deployment package and the host keeps its state (locks, timer
// schedules) in this account: it needs Owner there. Nothing of the data lives on this account.
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
// AZFD0003 when it cannot). No queue role: HTTP and timer triggers need no queues; blob triggers,
// Durable Functions and similar extensions would need Storage Queue Data Contributor on this account.
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

// --- Deploying user (device CLI, smoke test, coverage, vendor SAS signing, exports) --------------

var grantUser = !empty(userPrincipalId)

// Read blobs (smoke read-back, coverage, vendor sync, table exports) and sign user delegation SAS.
resource userDataBlobRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser && !userDataWrite) {
  name: guid(dataAccount.id, userPrincipalId, storageBlobDataReader)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageBlobDataReader
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// The vendor SAS signer: the user delegation key (generateUserDelegationKey) at account scope.
resource userDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  name: guid(dataAccount.id, userPrincipalId, storageBlobDelegator)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageBlobDelegator
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Device provisioning writes the devices table only.
resource userDevicesTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser && !userDataWrite) {
  name: guid(dataAccount::tableService::devicesTable.id, userPrincipalId, storageTableDataContributor)
  scope: dataAccount::tableService::devicesTable
  properties: {
    roleDefinitionId: storageTableDataContributor
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Coverage and the restore dry run read the idempotency table.
resource userIdempotencyRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser && !userDataWrite) {
  name: guid(dataAccount::tableService::idempotencyTable.id, userPrincipalId, storageTableDataReader)
  scope: dataAccount::tableService::idempotencyTable
  properties: {
    roleDefinitionId: storageTableDataReader
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// userDataWrite: full blob and table data access, delete included (development, or a restore).
resource userDataBlobWrite 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser && userDataWrite) {
  name: guid(dataAccount.id, userPrincipalId, storageBlobDataContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageBlobDataContributor
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource userDataTableWrite 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser && userDataWrite) {
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

// --- Backup vault: reads the account to copy its blobs into the vault --------------------------

resource backupVaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(backupVaultPrincipalId)) {
  name: guid(dataAccount.id, backupVaultPrincipalId, storageAccountBackupContributor)
  scope: dataAccount
  properties: {
    roleDefinitionId: storageAccountBackupContributor
    principalId: backupVaultPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource ids of the app identity\'s role assignments, space-separated: the predeploy hook waits for them.')
output appRoleAssignmentIds string = join(
  [
    appDataBlob.id
    appDataTable.id
    appHostBlob.id
    appHostTable.id
    appMetrics.id
  ],
  ' '
)
