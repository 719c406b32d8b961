// The ingest Function App on a Flex Consumption plan (Linux, Node 22), running as the user-assigned
// identity. No secrets anywhere: storage and Application Insights are reached with Entra ID tokens.

@description('Name of the Function App (also its default host name prefix).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region for the plan and the app.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name: api).')
param tags { *: string }

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Name of the function host storage account (AzureWebJobsStorage).')
param hostStorageAccountName string

@description('Blob endpoint of the function host storage account, with trailing slash.')
param hostStorageBlobEndpoint string

@description('Container in the host storage account that receives the deployment package.')
param deploymentContainerName string

@description('Name of the data storage account.')
param dataStorageAccountName string

@description('Blob endpoint of the data storage account.')
param dataStorageBlobEndpoint string

@description('Table endpoint of the data storage account.')
param dataStorageTableEndpoint string

@description('Name of the raw telemetry container.')
param rawContainerName string

@description('Name of the container that receives the scheduled table exports.')
param exportsContainerName string

@description('Name of the idempotency table.')
param idempotencyTableName string

@description('Name of the devices table.')
param devicesTableName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Upper bound of on-demand instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Largest accepted request body in bytes (MAX_BODY_BYTES).')
@minValue(1)
param maxBodyBytes int

@description('Timeout for each storage call in milliseconds (STORAGE_TIMEOUT_MS).')
@minValue(1)
param storageTimeoutMs int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Nothing from the "Flex Consumption plan deprecations" list of the Functions app settings
    // reference (ftpsState, alwaysOn, linuxFxVersion, use32BitWorkerProcess, ...): Flex rejects or
    // ignores those. FTP is off through the 'ftp' basic-publishing-credentials policy below.
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'node'
        version: '22'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
  }

  // The whole app-settings set. FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not
  // set on Flex Consumption: the runtime comes from functionAppConfig.runtime.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Functions host storage, identity-based (no connection string).
      AzureWebJobsStorage__accountName: hostStorageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      // Application Insights with Entra ID (local auth is disabled on the component).
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // Read by the app (shared/config). DefaultAzureCredential picks the identity from AZURE_CLIENT_ID.
      AZURE_CLIENT_ID: identityClientId
      DATA_STORAGE_ACCOUNT_NAME: dataStorageAccountName
      DATA_STORAGE_BLOB_ENDPOINT: dataStorageBlobEndpoint
      DATA_STORAGE_TABLE_ENDPOINT: dataStorageTableEndpoint
      RAW_CONTAINER: rawContainerName
      TABLE_EXPORTS_CONTAINER: exportsContainerName
      IDEMPOTENCY_TABLE: idempotencyTableName
      DEVICES_TABLE: devicesTableName
      MAX_BODY_BYTES: string(maxBodyBytes)
      STORAGE_TIMEOUT_MS: string(storageTimeoutMs)
      // Device authentication is always on in Azure; deliberately not a parameter.
      INGEST_AUTH: 'on'
    }
  }

  // Keyless deployments only: azd / az publish with an Entra ID token, never basic-auth credentials.
  // With 'ftp' disallowed no FTP/FTPS credential works, which is what ftpsState did on other plans.
  resource scmBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  resource ftpBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }
}

@description('Name of the Function App.')
output name string = site.name

@description('Default host name of the Function App, e.g. <name>.azurewebsites.net')
output defaultHostName string = site.properties.defaultHostName
