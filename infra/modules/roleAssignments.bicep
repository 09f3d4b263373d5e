// Least-privilege data-plane roles for the Function app's identity, each scoped to the one
// resource it is needed on (the key-encryption key itself, not the whole vault).

import { builtInRoles } from 'roles.bicep'

@description('The Function app\'s user-assigned identity.')
param identityName string

@description('Principal id of the deploying user (azd\'s AZURE_PRINCIPAL_ID); empty for none.')
param userPrincipalId string

@allowed(['User', 'ServicePrincipal', 'Group'])
param userPrincipalType string

param hostStorageName string
param recoveryStorageName string
param keyVaultName string
param keyName string
param applicationInsightsName string

// Host storage: the Functions host needs Blob Data Owner; Durable Functions needs queues and tables.
var hostStorageRoles = [
  builtInRoles.storageBlobDataOwner
  builtInRoles.storageQueueDataContributor
  builtInRoles.storageTableDataContributor
]

// Recovery storage: blobs (points, audit), the index tables, and queues the app may use for work.
var recoveryStorageRoles = [
  builtInRoles.storageBlobDataContributor
  builtInRoles.storageQueueDataContributor
  builtInRoles.storageTableDataContributor
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

// Assignment names derive from the identity's resource id (known before deployment), not its
// principal id, so they are stable and predictable.
var appPrincipalId = identity.properties.principalId

resource hostStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: hostStorageName
}

resource recoveryStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: recoveryStorageName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName

  resource kek 'keys' existing = {
    name: keyName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource hostStorageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in hostStorageRoles: {
    name: guid(hostStorage.id, identity.id, roleId)
    scope: hostStorage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource recoveryStorageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in recoveryStorageRoles: {
    name: guid(recoveryStorage.id, identity.id, roleId)
    scope: recoveryStorage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource kekWrapUnwrap 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::kek.id, identity.id, builtInRoles.keyVaultCryptoServiceEncryptionUser)
  scope: vault::kek
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      builtInRoles.keyVaultCryptoServiceEncryptionUser
    )
  }
}

resource secretsRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, builtInRoles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsUser)
  }
}

resource telemetryPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, builtInRoles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      builtInRoles.monitoringMetricsPublisher
    )
  }
}

resource userSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(vault.id, userPrincipalId, builtInRoles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsOfficer)
  }
}
