// Azure Backup vault with a vaulted backup policy for the data account's blobs: the second copy.
// Vaulted backup copies the protected containers into the vault on a schedule, so a deleted or
// overwritten blob, a deleted container and even a deleted account can be restored from there (to
// this account or another one), within the retention. The vault keeps deleted backups for 14 days
// (soft delete), and its storage is geo-redundant by default: the copy also lives in the paired region.
// The backup instance itself is in core/backup-instance.bicep: it waits for the vault's role on the
// account (app/rbac.bicep).

@description('Name of the Backup vault.')
param name string

@description('Azure region for the vault (the data account\'s region).')
param location string

@description('Tags applied to the vault.')
param tags { *: string }

@description('Redundancy of the vault\'s own storage: GeoRedundant keeps the copy in the paired region too.')
@allowed([
  'LocallyRedundant'
  'ZoneRedundant'
  'GeoRedundant'
])
param storageRedundancy string

@description('Days each daily recovery point is kept in the vault.')
@minValue(7)
@maxValue(3650)
param retentionDays int

@description('UTC time of the daily backup, HH:mm.')
param dailyBackupTime string

@description('Put a CanNotDelete lock on the vault (as on the data account).')
param lockVault bool

resource vault 'Microsoft.DataProtection/backupVaults@2025-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    storageSettings: [
      {
        datastoreType: 'VaultStore'
        type: storageRedundancy
      }
    ]
    securitySettings: {
      softDeleteSettings: {
        state: 'On'
        retentionDurationInDays: 14
      }
    }
  }
}

// Vaulted tier only: no OperationalStore rule, so Azure Backup does not take over the account's
// point-in-time restore policy (the template sets that itself, core/storage.bicep).
resource policy 'Microsoft.DataProtection/backupVaults/backupPolicies@2025-01-01' = {
  parent: vault
  name: 'raw-daily-vaulted'
  properties: {
    objectType: 'BackupPolicy'
    datasourceTypes: [
      'Microsoft.Storage/storageAccounts/blobServices'
    ]
    policyRules: [
      {
        name: 'Default'
        objectType: 'AzureRetentionRule'
        isDefault: true
        lifecycles: [
          {
            deleteAfter: {
              duration: 'P${retentionDays}D'
              objectType: 'AbsoluteDeleteOption'
            }
            sourceDataStore: {
              dataStoreType: 'VaultStore'
              objectType: 'DataStoreInfoBase'
            }
            targetDataStoreCopySettings: []
          }
        ]
      }
      {
        name: 'BackupDaily'
        objectType: 'AzureBackupRule'
        backupParameters: {
          backupType: 'Discrete'
          objectType: 'AzureBackupParams'
        }
        dataStore: {
          dataStoreType: 'VaultStore'
          objectType: 'DataStoreInfoBase'
        }
        trigger: {
          objectType: 'ScheduleBasedTriggerContext'
          schedule: {
            timeZone: 'UTC'
            repeatingTimeIntervals: [
              'R/2026-01-01T${dailyBackupTime}:00+00:00/P1D'
            ]
          }
          taggingCriteria: [
            {
              isDefault: true
              taggingPriority: 99
              tagInfo: {
                tagName: 'Default'
              }
            }
          ]
        }
      }
    ]
  }
}

resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (lockVault) {
  name: 'protect-backups'
  scope: vault
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the second copy of the telemetry. Remove this lock on purpose before deleting the vault or its resource group (docs/DEPLOY.md).'
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Principal id of the vault\'s system-assigned identity (gets Storage Account Backup Contributor on the data account).')
output principalId string = vault.identity.principalId

@description('Resource id of the vaulted backup policy.')
output policyId string = policy.id
