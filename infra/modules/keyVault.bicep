// Key Vault (RBAC, purge protection) holding the key-encryption key that wraps every recovery
// point's data key, and the Qlik credentials the app reads through Key Vault references.

import { resourceTags } from 'types.bicep'

param name string
param location string
param tags resourceTags

@description('Name of the RSA key-encryption key.')
param keyName string

@allowed([2048, 3072, 4096])
param keySize int

@description('ISO 8601 duration after which the key is rotated to a new version, e.g. P1Y.')
param keyRotationInterval string

@description('Secrets created only when a value is supplied; empty values leave any existing secret alone.')
@secure()
param secrets {
  *: string
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Old key versions stay usable for unwrap, so rotation never strands existing recovery points.
resource kek 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: keyName
  tags: tags
  properties: {
    kty: 'RSA'
    keySize: keySize
    keyOps: ['wrapKey', 'unwrapKey']
    attributes: { enabled: true }
    rotationPolicy: {
      attributes: {
        expiryTime: 'P2Y'
      }
      lifetimeActions: [
        {
          trigger: { timeAfterCreate: keyRotationInterval }
          action: { type: 'rotate' }
        }
        {
          trigger: { timeBeforeExpiry: 'P30D' }
          action: { type: 'notify' }
        }
      ]
    }
  }
}

resource secretValues 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for secret in items(secrets): if (!empty(secret.value)) {
    parent: vault
    name: secret.key
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

output name string = vault.name
output uri string = vault.properties.vaultUri
@description('Versionless key URI: the app always wraps with the current version.')
output keyUri string = kek.properties.keyUri
