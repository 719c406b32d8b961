// Data storage account: raw telemetry blobs (container `raw`) and the `idempotency` and `devices`
// tables. Keyless: shared-key (account key / SAS) access is disabled, so every caller, the Function
// App included, authenticates with Entra ID and RBAC (app/rbac.bicep).

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region for the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags { *: string }

@description('Storage account SKU (redundancy).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param skuName string

@description('Name of the blob container that receives raw telemetry.')
param rawContainerName string

@description('Name of the table that records idempotency keys.')
param idempotencyTableName string

@description('Name of the table that holds provisioned devices.')
param devicesTableName string

@description('Days a deleted or overwritten blob stays recoverable (blob soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int

@description('Days a deleted container stays recoverable (container soft delete).')
@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int

@description('Lifecycle: move raw blobs to the Cool tier this many days after their last modification.')
@minValue(1)
param rawCoolAfterDays int

@description('Lifecycle: move raw blobs to the long-term tier this many days after their last modification. Must be greater than rawCoolAfterDays.')
@minValue(2)
param rawLongTermAfterDays int

@description('Lifecycle: the long-term tier. Cold keeps blobs online (millisecond reads); Archive is cheapest but needs hours of rehydration before a read.')
@allowed([
  'Cold'
  'Archive'
])
param rawLongTermTier string

@description('Record blob changes in the change feed (container $blobchangefeed) for vendors that process creations incrementally.')
param enableChangeFeed bool

@description('Days the change feed keeps its records (1-146000).')
@minValue(1)
@maxValue(146000)
param changeFeedRetentionDays int

@description('Put a time-based retention (WORM) policy on the raw container. The policy is created unlocked; locking it is a deliberate, irreversible manual step.')
param enableRawImmutability bool

@description('Retention period of the raw container immutability policy, in days since blob creation.')
@minValue(1)
@maxValue(146000)
param rawImmutabilityDays int

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
    // Per-blob ordered log of creations (and deletions, tier changes) in $blobchangefeed, so a
    // vendor can resume from a cursor instead of re-listing `raw`. Retention is sent only when on.
    changeFeed: enableChangeFeed
      ? {
          enabled: true
          retentionInDays: changeFeedRetentionDays
        }
      : {
          enabled: false
        }
  }
}

resource rawContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: blobService
  name: rawContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource rawImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2026-04-01' = if (enableRawImmutability) {
  parent: rawContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: rawImmutabilityDays
    allowProtectedAppendWrites: false
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-04-01' = {
  parent: account
  name: 'default'
}

resource idempotencyTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-04-01' = {
  parent: tableService
  name: idempotencyTableName
}

resource devicesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-04-01' = {
  parent: tableService
  name: devicesTableName
}

// A lifecycle prefix starts with the container name, so 'raw/' matches every blob in `raw`.
var longTermAction = rawLongTermTier == 'Archive'
  ? { tierToArchive: { daysAfterModificationGreaterThan: rawLongTermAfterDays } }
  : { tierToCold: { daysAfterModificationGreaterThan: rawLongTermAfterDays } }

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'raw-telemetry-tiering'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${rawContainerName}/'
              ]
            }
            actions: {
              baseBlob: union({ tierToCool: { daysAfterModificationGreaterThan: rawCoolAfterDays } }, longTermAction)
            }
          }
        }
      ]
    }
  }
}

@description('Name of the storage account.')
output name string = account.name

@description('Resource id of the storage account.')
output id string = account.id

@description('Blob service endpoint, e.g. https://<name>.blob.<suffix>/')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Table service endpoint, e.g. https://<name>.table.<suffix>/')
output tableEndpoint string = account.properties.primaryEndpoints.table

@description('Name of the raw telemetry container.')
output rawContainerName string = rawContainer.name

@description('Names of the tables created in the account.')
output tableNames string[] = [
  idempotencyTable.name
  devicesTable.name
]
