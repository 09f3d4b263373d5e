// The Function app on the Flex Consumption plan, with every setting the app reads. All storage and
// Key Vault access goes through the user-assigned identity; no setting carries an account key.

import { recoveryStoreLayout, resourceTags, retentionByTier, rpoByTier, rtoByTier, timerSchedules } from 'types.bicep'
import { triggerName as alertsTriggerName } from 'alerts.bicep'

param name string
param planName string
param location string
param tags resourceTags

@description('Value of the azd-service-name tag: links this app to the service in azure.yaml.')
param serviceName string

param identityName string
param hostStorageName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultName string
param keyVaultKeyUri string
param alertsLogicAppName string

param recoveryBlobEndpoint string
param recoveryTableEndpoint string
param recoveryQueueEndpoint string
param recoveryLayout recoveryStoreLayout

@description('Functions runtime stack version for dotnet-isolated (the target framework of src/QlikBackup.Functions).')
param dotnetVersion string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

param durableTaskHubName string
param qlikTenantUrl string
param qlikTenantId string
param qlikOAuthClientId string
@description('Standby tenant of Tenant drills; empty: none (its settings stay empty, so the app starts without one).')
param standbyTenantUrl string
param standbyOAuthClientId string
param rpoObjectives rpoByTier
param rtoObjectives rtoByTier
param schedules timerSchedules
param captureDefaultTier string
param captureMaxParallelAssetsPerSpace int
param retention retentionByTier

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: hostStorageName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource alertsWorkflow 'Microsoft.Logic/workflows@2019-05-01' existing = {
  name: alertsLogicAppName

  resource trigger 'triggers' existing = {
    name: alertsTriggerName
  }
}

// Key Vault references resolve with the user-assigned identity (keyVaultReferenceIdentity below).
func secretRef(vaultName string, secretName string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
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

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex Consumption takes the worker runtime from here; FUNCTIONS_WORKER_RUNTIME is not allowed.
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Functions host and Durable task hub storage, identity-based.
        { name: 'AzureWebJobsStorage__accountName', value: hostStorage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'DurableTaskHubName', value: durableTaskHubName }
        // DefaultAzureCredential picks the user-assigned identity by this id.
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
        }
        // Recovery-point store.
        { name: 'Storage__BlobServiceUri', value: recoveryBlobEndpoint }
        { name: 'Storage__TableServiceUri', value: recoveryTableEndpoint }
        { name: 'Storage__QueueServiceUri', value: recoveryQueueEndpoint }
        { name: 'Storage__RecoveryPointsContainer', value: recoveryLayout.recoveryPointsContainer }
        { name: 'Restore__AuditContainer', value: recoveryLayout.auditContainer }
        { name: 'Restore__AuditTable', value: recoveryLayout.auditTable }
        { name: 'Restore__ProgressTable', value: recoveryLayout.progressTable }
        { name: 'Drill__ReportsContainer', value: recoveryLayout.drillReportsContainer }
        { name: 'Drill__ReportsTable', value: recoveryLayout.drillReportsTable }
        // Envelope encryption: data keys wrapped by the Key Vault key (versionless URI).
        { name: 'Crypto__KeyProvider', value: 'KeyVault' }
        { name: 'Crypto__KeyVaultKeyId', value: keyVaultKeyUri }
        // Qlik Cloud tenant and credentials; secrets stay in Key Vault.
        { name: 'Qlik__TenantUrl', value: qlikTenantUrl }
        { name: 'Qlik__TenantId', value: qlikTenantId }
        { name: 'Qlik__ApiKey', value: secretRef(keyVaultName, 'qlik-api-key') }
        { name: 'Qlik__OAuthClientId', value: qlikOAuthClientId }
        {
          // Without an OAuth client the secret stays empty rather than an unresolvable reference.
          name: 'Qlik__OAuthClientSecret'
          value: empty(qlikOAuthClientId) ? '' : secretRef(keyVaultName, 'qlik-oauth-client-secret')
        }
        // Standby tenant of whole-tenant drills: all empty unless its URL is given.
        { name: 'Drill__Standby__TenantUrl', value: standbyTenantUrl }
        { name: 'Drill__Standby__ApiKey', value: empty(standbyTenantUrl) ? '' : secretRef(keyVaultName, 'standby-qlik-api-key') }
        { name: 'Drill__Standby__OAuthClientId', value: empty(standbyTenantUrl) ? '' : standbyOAuthClientId }
        {
          name: 'Drill__Standby__OAuthClientSecret'
          value: empty(standbyTenantUrl) || empty(standbyOAuthClientId) ? '' : secretRef(keyVaultName, 'standby-qlik-oauth-client-secret')
        }
        { name: 'Webhooks__Secret', value: secretRef(keyVaultName, 'qlik-webhook-secret') }
        // Timer schedules (NCRONTAB), referenced by the timer triggers as %Name%.
        { name: 'CaptureT1Schedule', value: schedules.captureT1 }
        { name: 'CaptureT2Schedule', value: schedules.captureT2 }
        { name: 'CaptureT3Schedule', value: schedules.captureT3 }
        { name: 'DrillSchedule', value: schedules.drill }
        { name: 'RetentionSchedule', value: schedules.retention }
        { name: 'VerifySchedule', value: schedules.verify }
        { name: 'Rpo__T1', value: rpoObjectives.T1 }
        { name: 'Rpo__T2', value: rpoObjectives.T2 }
        { name: 'Rpo__T3', value: rpoObjectives.T3 }
        { name: 'Rto__T1', value: rtoObjectives.T1 }
        { name: 'Rto__T2', value: rtoObjectives.T2 }
        { name: 'Rto__T3', value: rtoObjectives.T3 }
        { name: 'Rto__Tenant', value: rtoObjectives.Tenant }
        { name: 'Capture__DefaultTier', value: captureDefaultTier }
        { name: 'Capture__MaxParallelAssetsPerSpace', value: string(captureMaxParallelAssetsPerSpace) }
        { name: 'Retention__T1__KeepAllDays', value: string(retention.T1.keepAllDays) }
        { name: 'Retention__T1__KeepHourlyDays', value: string(retention.T1.keepHourlyDays) }
        { name: 'Retention__T1__KeepDailyDays', value: string(retention.T1.keepDailyDays) }
        { name: 'Retention__T1__KeepMonthlyDays', value: string(retention.T1.keepMonthlyDays) }
        { name: 'Retention__T2__KeepAllDays', value: string(retention.T2.keepAllDays) }
        { name: 'Retention__T2__KeepHourlyDays', value: string(retention.T2.keepHourlyDays) }
        { name: 'Retention__T2__KeepDailyDays', value: string(retention.T2.keepDailyDays) }
        { name: 'Retention__T2__KeepMonthlyDays', value: string(retention.T2.keepMonthlyDays) }
        { name: 'Retention__T3__KeepAllDays', value: string(retention.T3.keepAllDays) }
        { name: 'Retention__T3__KeepHourlyDays', value: string(retention.T3.keepHourlyDays) }
        { name: 'Retention__T3__KeepDailyDays', value: string(retention.T3.keepDailyDays) }
        { name: 'Retention__T3__KeepMonthlyDays', value: string(retention.T3.keepMonthlyDays) }
        // Alerts go to the Logic App's HTTP trigger (its URL carries a SAS signature).
        { name: 'Alerts__LogicAppUrl', value: alertsWorkflow::trigger.listCallbackUrl().value }
      ]
    }
  }
}

// Deployments use Entra ID; no FTP or SCM basic-auth publishing credentials.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output name string = site.name
output planName string = plan.name
output uri string = 'https://${site.properties.defaultHostName}'
