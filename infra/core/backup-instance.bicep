// Protects the data account's containers with the vaulted policy of core/backup-vault.bicep. Deployed
// after app/rbac.bicep: configuring protection checks that the vault can read the account.

@description('Name of the Backup vault.')
param vaultName string

@description('Resource id of the vaulted backup policy.')
param policyId string

@description('Name of the data storage account.')
param storageAccountName string

@description('Region of the data storage account.')
param location string

@description('Containers copied into the vault.')
param containers string[]

var datasourceType = 'Microsoft.Storage/storageAccounts/blobServices'

resource vault 'Microsoft.DataProtection/backupVaults@2025-01-01' existing = {
  name: vaultName
}

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: storageAccountName
}

resource instance 'Microsoft.DataProtection/backupVaults/backupInstances@2025-01-01' = {
  parent: vault
  name: storageAccountName
  properties: {
    objectType: 'BackupInstance'
    dataSourceInfo: {
      objectType: 'Datasource'
      resourceID: account.id
      resourceName: storageAccountName
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceUri: account.id
      resourceLocation: location
      datasourceType: datasourceType
    }
    dataSourceSetInfo: {
      objectType: 'DatasourceSet'
      resourceID: account.id
      resourceName: storageAccountName
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceUri: account.id
      resourceLocation: location
      datasourceType: datasourceType
    }
    policyInfo: {
      policyId: policyId
      policyParameters: {
        backupDatasourceParametersList: [
          {
            objectType: 'BlobBackupDatasourceParameters'
            containersList: containers
          }
        ]
      }
    }
  }
}

@description('Name of the backup instance.')
output name string = instance.name
