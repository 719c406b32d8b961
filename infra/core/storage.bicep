// Data storage account: raw telemetry blobs (container `raw`), the scheduled table exports
// (container `table-exports`) and the `idempotency` and `devices` tables. Keyless: shared-key
// (account key / SAS) access is disabled, so every caller, the Function App included, authenticates
// with Entra ID and RBAC (app/rbac.bicep). Once a gateway has its 200 this account holds the only
// copy of the file, hence the delete lock, point-in-time restore and the WORM policy options below;
// the second copy is the vaulted backup (core/backup.bicep).

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

@description('Name of the blob container that receives the scheduled exports of the tables.')
param exportsContainerName string

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

@description('Time-based retention (WORM) policy on the raw container: none; unlocked (the template creates and updates it); locked (locked by hand with `az storage container immutability-policy lock`: the template never sends it again, since the service refuses every change to a locked policy but an extension).')
@allowed([
  'none'
  'unlocked'
  'locked'
])
param rawImmutability string

@description('Retention period of the raw container immutability policy, in days since blob creation.')
@minValue(1)
@maxValue(146000)
param rawImmutabilityDays int

@description('Point-in-time restore window for block blobs, in days; 0 turns it off. Must be less than blobSoftDeleteDays and needs the change feed (checked in main.bicep).')
@minValue(0)
@maxValue(364)
param restoreDays int

@description('Put a CanNotDelete lock on the account: deleting it, or its resource group (azd down), fails until the lock is removed.')
param lockAccount bool

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
    // Versioning, soft delete and the change feed are also what point-in-time restore needs.
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
    // Restores block blobs to their state at any time within the window (versions + change feed).
    restorePolicy: restoreDays > 0
      ? {
          enabled: true
          days: max(restoreDays, 1)
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

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: blobService
  name: exportsContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Sent only while the policy is unlocked. Once locked, the service accepts nothing but an extension
// (immutabilityPolicies/extend), so a redeploy that PUT it again would fail: with 'locked' the template
// leaves the policy alone, and the lock stays what it is.
resource rawImmutabilityPolicy 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2026-04-01' = if (rawImmutability == 'unlocked') {
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

// CanNotDelete still allows every change and every data operation: it stops only the deletion of the
// account (and of the resource group around it), which soft delete and versioning cannot undo.
resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (lockAccount) {
  name: 'protect-only-copy'
  scope: account
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the only copy of every stored telemetry file. Remove this lock on purpose before deleting the account or its resource group (docs/DEPLOY.md).'
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

@description('Name of the table exports container.')
output exportsContainerName string = exportsContainer.name

@description('Names of the tables created in the account.')
output tableNames string[] = [
  idempotencyTable.name
  devicesTable.name
]
