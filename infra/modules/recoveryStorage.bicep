// Storage for recovery points: every blob version is write-once (version-level immutability) for
// `immutabilityDays`, deletes are soft, and nothing is reachable with a shared key or anonymously.

import { resourceTags } from 'types.bicep'

param name string
param location string
param tags resourceTags

@minValue(1)
@description('Days every blob version stays immutable (WORM) after it is written.')
param immutabilityDays int

@allowed(['Unlocked', 'Locked'])
@description('Unlocked lets an administrator shorten or remove the policy; Locked makes it permanent (it can only be lengthened).')
param immutabilityPolicyState string

@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int

@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int

@description('Blob containers the app writes.')
param containerNames string[]

@description('Tables the app writes.')
param tableNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    // Account-level default policy: applies to every version in every container.
    immutableStorageWithVersioning: {
      enabled: true
      immutabilityPolicy: {
        immutabilityPeriodSinceCreationInDays: immutabilityDays
        state: immutabilityPolicyState
        // The restore audit log is an append blob per day: appends stay allowed, existing blocks stay immutable.
        allowProtectedAppendWrites: true
      }
    }
  }

  resource blobService 'blobServices' = {
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
    }

    resource containers 'containers' = [
      for containerName in containerNames: {
        name: containerName
        properties: { publicAccess: 'None' }
      }
    ]
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource tables 'tables' = [
      for tableName in tableNames: {
        name: tableName
      }
    ]
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output queueEndpoint string = storage.properties.primaryEndpoints.queue
