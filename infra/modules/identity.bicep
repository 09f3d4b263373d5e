// User-assigned identity for the Function app. It exists before the app, so its role assignments
// are in place when the app first starts (no window where Key Vault references fail to resolve).

import { resourceTags } from 'types.bicep'

param name string
param location string
param tags resourceTags

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
