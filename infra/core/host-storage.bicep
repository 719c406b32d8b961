// Function host storage: the Functions runtime's own state (AzureWebJobsStorage: host locks,
// function keys) and the Flex Consumption deployment-package container. Kept apart from the data
// account on purpose:
//   - Flex needs Storage Blob Data Owner on the deployment container's account. Owner is broader than
//     the Blob Data Contributor the app needs for telemetry, so it is granted only here.
//   - The data account's versioning, soft delete, lifecycle tiering and optional WORM policy are
//     meant for telemetry, not for host lease blobs that are rewritten every few seconds.
//   - The vendor's read access, the lifecycle rule and any retention lock stay scoped to data only.

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region for the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags { *: string }

@description('Name of the blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
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
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

@description('Name of the storage account.')
output name string = account.name

@description('Blob service endpoint, e.g. https://<name>.blob.<suffix>/')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Name of the deployment-package container.')
output deploymentContainerName string = deploymentContainer.name
