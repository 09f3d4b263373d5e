// QlikBackup on Azure: `azd up` provisions this into a new resource group, then deploys
// src/QlikBackup.Functions to the Function app tagged azd-service-name=api.
targetScope = 'subscription'

// ---------------------------------------------------------------- environment
@minLength(1)
@maxLength(64)
@description('azd environment name; makes resource names unique and tags every resource.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID); granted Key Vault Secrets Officer so it can set the Qlik secrets.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

// ---------------------------------------------------------------- Qlik tenant
@minLength(1)
@description('Qlik Cloud tenant URL, e.g. https://example.eu.qlikcloud.com')
param qlikTenantUrl string

@secure()
@description('Qlik API key; stored as Key Vault secret qlik-api-key when given. Empty: set the secret yourself.')
param qlikApiKey string = ''

@description('Stable name backups of this tenant are filed under (keys, index partitions); empty: the tenant URL host.')
param qlikTenantId string = ''

@description('Qlik OAuth machine-to-machine client id; empty to use the API key.')
param qlikOAuthClientId string = ''

@secure()
@description('Qlik OAuth client secret; stored as Key Vault secret qlik-oauth-client-secret when given.')
param qlikOAuthClientSecret string = ''

// ---------------------------------------------------------------- standby tenant (whole-tenant drills)
@description('Standby Qlik Cloud tenant a Tenant drill rebuilds the tenant into (another region); empty: no Tenant drills.')
param standbyTenantUrl string = ''

@secure()
@description('Standby tenant API key; stored as Key Vault secret standby-qlik-api-key when given.')
param standbyApiKey string = ''

@description('Standby tenant OAuth machine-to-machine client id; empty to use its API key.')
param standbyOAuthClientId string = ''

@secure()
@description('Standby tenant OAuth client secret; stored as Key Vault secret standby-qlik-oauth-client-secret when given.')
param standbyOAuthClientSecret string = ''

@secure()
@description('Secret Qlik signs webhook deliveries with; stored as Key Vault secret qlik-webhook-secret when given.')
param webhookSecret string = ''

// ---------------------------------------------------------------- capture, drills, retention
@description('NCRONTAB schedule of tier T1 captures (RPO in minutes).')
param captureT1Schedule string = '0 */15 * * * *'

@description('NCRONTAB schedule of tier T2 captures (RPO under an hour).')
param captureT2Schedule string = '0 5 * * * *'

@description('NCRONTAB schedule of tier T3 captures (RPO one day).')
param captureT3Schedule string = '0 30 1 * * *'

@description('NCRONTAB schedule of restore drills.')
param drillSchedule string = '0 0 4 * * 1'

@description('NCRONTAB schedule of retention (prune points the tier policy no longer keeps, sweep unreferenced blobs).')
param retentionSchedule string = '0 0 3 * * *'

@description('NCRONTAB schedule of verify (re-read and authenticate every blob of every recovery point).')
param verifySchedule string = '0 0 5 * * 0'

@description('RPO objective of tier T1 (a .NET TimeSpan, d.hh:mm:ss); a tier whose newest clean run is older raises an alert.')
param rpoT1 string = '00:15:00'

@description('RPO objective of tier T2.')
param rpoT2 string = '01:00:00'

@description('RPO objective of tier T3.')
param rpoT3 string = '1.00:00:00'

@description('RTO objective of tier T1 (a .NET TimeSpan): a drill from start to last asset verified taking longer fails and alerts.')
param rtoT1 string = '00:30:00'

@description('RTO objective of tier T2.')
param rtoT2 string = '04:00:00'

@description('RTO objective of tier T3 (one business day, taken as 24 hours).')
param rtoT3 string = '1.00:00:00'

@description('RTO objective of a whole-tenant drill into the standby tenant.')
param rtoTenant string = '1.00:00:00'

@allowed(['T1', 'T2', 'T3'])
@description('Tier of spaces that have no tier assigned.')
param captureDefaultTier string = 'T3'

@minValue(1)
@maxValue(64)
param captureMaxParallelAssetsPerSpace int = 8

@minValue(1)
param retentionT1KeepAllDays int = 7
@minValue(0)
param retentionT1KeepHourlyDays int = 30
@minValue(0)
param retentionT1KeepDailyDays int = 90
@minValue(0)
param retentionT1KeepMonthlyDays int = 365
@minValue(1)
param retentionT2KeepAllDays int = 7
@minValue(0)
param retentionT2KeepHourlyDays int = 30
@minValue(0)
param retentionT2KeepDailyDays int = 90
@minValue(0)
param retentionT2KeepMonthlyDays int = 365
@minValue(1)
param retentionT3KeepAllDays int = 30
@minValue(0)
param retentionT3KeepHourlyDays int = 30
@minValue(0)
param retentionT3KeepDailyDays int = 90
@minValue(0)
param retentionT3KeepMonthlyDays int = 365

// ---------------------------------------------------------------- protection of recovery points
@minValue(1)
@description('Days each recovery-point blob version is immutable (WORM). Keep it at most the smallest KeepAllDays, or pruning of older points fails until the versions age out.')
param immutabilityDays int = 7

@allowed(['Unlocked', 'Locked'])
@description('Lock the immutability policy once it is validated: a locked policy cannot be shortened or removed.')
param immutabilityPolicyState string = 'Unlocked'

@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 14

@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int = 14

@allowed([2048, 3072, 4096])
param keyEncryptionKeySize int = 3072

@description('ISO 8601 duration after which Key Vault rotates the key-encryption key.')
param keyEncryptionKeyRotation string = 'P1Y'

// ---------------------------------------------------------------- alerts
@allowed(['teams', 'http', 'none'])
@description('teams: post an Adaptive Card to a Teams webhook; http: POST the alert JSON (e.g. to an e-mail relay); none: keep alerts in the Logic App run history.')
param alertTargetKind string = 'none'

@secure()
@description('Teams webhook URL or HTTP endpoint for alerts.')
param alertTargetUrl string = ''

// ---------------------------------------------------------------- hosting
@description('dotnet-isolated runtime version on Flex Consumption; matches the target framework of src/QlikBackup.Functions.')
param dotnetVersion string = '10.0'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minLength(3)
@maxLength(45)
@description('Durable Functions task hub name (letters and digits, starting with a letter).')
param durableTaskHubName string = 'QlikBackup'

// ---------------------------------------------------------------- names
var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
// Names are computed here, not taken from module outputs, so What-If can predict every resource.
var names = {
  identity: '${abbrs.managedIdentity}${resourceToken}'
  logAnalytics: '${abbrs.logAnalytics}${resourceToken}'
  applicationInsights: '${abbrs.applicationInsights}${resourceToken}'
  hostStorage: '${abbrs.hostStorage}${resourceToken}'
  recoveryStorage: '${abbrs.recoveryStorage}${resourceToken}'
  keyVault: '${abbrs.keyVault}${resourceToken}'
  logicApp: '${abbrs.logicApp}${resourceToken}'
  plan: '${abbrs.flexPlan}${resourceToken}'
  functionApp: '${abbrs.functionApp}${resourceToken}'
}
var deploymentContainerName = 'app-package'
var keyEncryptionKeyName = 'recovery-point-kek'

// Containers and tables of the recovery-point store (names are part of the app's storage layout).
var recoveryContainers = ['recovery-points', 'restore-audit', 'drill-reports']
var recoveryTables = [
  'RecoveryPoints'
  'RecoveryPointsBySpace'
  'RestoreAudit'
  'RestoreProgress'
  'SpaceTiers'
  'CaptureRuns'
  'DrillReports'
]

// The names the app is told, among those created above.
var recoveryLayout = {
  recoveryPointsContainer: recoveryContainers[0]
  auditContainer: recoveryContainers[1]
  auditTable: recoveryTables[2]
  progressTable: recoveryTables[3]
  drillReportsContainer: recoveryContainers[2]
  drillReportsTable: recoveryTables[6]
}

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module hostStorage 'modules/hostStorage.bicep' = {
  scope: rg
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module recoveryStorage 'modules/recoveryStorage.bicep' = {
  scope: rg
  params: {
    name: names.recoveryStorage
    location: location
    tags: tags
    immutabilityDays: immutabilityDays
    immutabilityPolicyState: immutabilityPolicyState
    blobSoftDeleteDays: blobSoftDeleteDays
    containerSoftDeleteDays: containerSoftDeleteDays
    containerNames: recoveryContainers
    tableNames: recoveryTables
  }
}

module keyVault 'modules/keyVault.bicep' = {
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    keyName: keyEncryptionKeyName
    keySize: keyEncryptionKeySize
    keyRotationInterval: keyEncryptionKeyRotation
    secrets: {
      'qlik-api-key': qlikApiKey
      'qlik-oauth-client-secret': qlikOAuthClientSecret
      'qlik-webhook-secret': webhookSecret
      'standby-qlik-api-key': standbyApiKey
      'standby-qlik-oauth-client-secret': standbyOAuthClientSecret
    }
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    name: names.logicApp
    location: location
    tags: tags
    alertTargetKind: alertTargetKind
    alertTargetUrl: alertTargetUrl
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  scope: rg
  dependsOn: [identity, hostStorage, recoveryStorage, keyVault, monitoring]
  params: {
    identityName: names.identity
    userPrincipalId: principalId
    userPrincipalType: principalType
    hostStorageName: names.hostStorage
    recoveryStorageName: names.recoveryStorage
    keyVaultName: names.keyVault
    keyName: keyEncryptionKeyName
    applicationInsightsName: names.applicationInsights
  }
}

module functionApp 'modules/functionApp.bicep' = {
  scope: rg
  // The app starts only once its identity can reach storage, the key and the secrets.
  dependsOn: [roleAssignments, alerts]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    serviceName: 'api'
    identityName: names.identity
    hostStorageName: names.hostStorage
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: names.applicationInsights
    keyVaultName: names.keyVault
    keyVaultKeyUri: keyVault.outputs.keyUri
    alertsLogicAppName: names.logicApp
    recoveryBlobEndpoint: recoveryStorage.outputs.blobEndpoint
    recoveryTableEndpoint: recoveryStorage.outputs.tableEndpoint
    recoveryQueueEndpoint: recoveryStorage.outputs.queueEndpoint
    recoveryLayout: recoveryLayout
    dotnetVersion: dotnetVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    durableTaskHubName: durableTaskHubName
    qlikTenantUrl: qlikTenantUrl
    qlikTenantId: qlikTenantId
    qlikOAuthClientId: qlikOAuthClientId
    standbyTenantUrl: standbyTenantUrl
    standbyOAuthClientId: standbyOAuthClientId
    rpoObjectives: {
      T1: rpoT1
      T2: rpoT2
      T3: rpoT3
    }
    rtoObjectives: {
      T1: rtoT1
      T2: rtoT2
      T3: rtoT3
      Tenant: rtoTenant
    }
    schedules: {
      captureT1: captureT1Schedule
      captureT2: captureT2Schedule
      captureT3: captureT3Schedule
      drill: drillSchedule
      retention: retentionSchedule
      verify: verifySchedule
    }
    captureDefaultTier: captureDefaultTier
    captureMaxParallelAssetsPerSpace: captureMaxParallelAssetsPerSpace
    retention: {
      T1: {
        keepAllDays: retentionT1KeepAllDays
        keepHourlyDays: retentionT1KeepHourlyDays
        keepDailyDays: retentionT1KeepDailyDays
        keepMonthlyDays: retentionT1KeepMonthlyDays
      }
      T2: {
        keepAllDays: retentionT2KeepAllDays
        keepHourlyDays: retentionT2KeepHourlyDays
        keepDailyDays: retentionT2KeepDailyDays
        keepMonthlyDays: retentionT2KeepMonthlyDays
      }
      T3: {
        keepAllDays: retentionT3KeepAllDays
        keepHourlyDays: retentionT3KeepHourlyDays
        keepDailyDays: retentionT3KeepDailyDays
        keepMonthlyDays: retentionT3KeepMonthlyDays
      }
    }
  }
}

// ---------------------------------------------------------------- outputs (saved to the azd environment)
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = functionApp.outputs.uri
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_KEY_VAULT_KEY_ID string = keyVault.outputs.keyUri
output AZURE_STORAGE_ACCOUNT_NAME string = recoveryStorage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = recoveryStorage.outputs.blobEndpoint
output AZURE_HOST_STORAGE_ACCOUNT_NAME string = hostStorage.outputs.name
output AZURE_LOGIC_APP_NAME string = alerts.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_NAME string = monitoring.outputs.logAnalyticsName
