// User-assigned managed identity for the Function App. A user-assigned identity (rather than the
// site's system-assigned one) exists before the app does, so its role assignments, the Flex
// deployment-storage authentication and the AzureWebJobsStorage connection can all reference it
// up front, and it survives an app re-create.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region for the identity.')
param location string

@description('Tags applied to the identity.')
param tags { *: string }

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) id of the identity; what DefaultAzureCredential needs as AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity; what role assignments target.')
output principalId string = identity.properties.principalId
