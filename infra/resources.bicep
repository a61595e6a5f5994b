// Everything of one DVC Sync environment, in one resource group. Called by main.bicep, which explains the parameters.

@description('Region of every resource.')
param location string

@description('Short unique suffix of every resource name.')
param resourceToken string

param tags object

@description('Optional operator (user or pipeline) who gets Key Vault Secrets Officer to rotate secrets.')
param principalId string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
@description('NationalPortal:MaxRequestsPerSecond of each process = floor(portal limit / (maximumInstanceCount + 2)): the Repair instances, the Reconcile run and the Audit run. Below 1 means maximumInstanceCount is too high for the portal\'s limit: lower it.')
param nationalPortalMaxRequestsPerSecond int

param nationalPortalBaseUrl string
param nationalPortalUsername string
@secure()
param nationalPortalPassword string
param nationalPortalDstCode string
param nationalPortalMaDonVi string
param provincialSystemBaseUrl string
param provincialSystemClientId string
@secure()
param provincialSystemClientSecret string

param reconcileEverySeconds int
param historyFrom string
param repairQueueName string
param syncRateMaxPoints string
param syncRateThreshold string
param scorecardScoring object

param alertEmail string
param syncRateAlertThresholdPercent int
param logRetentionDays int
param keyVaultPurgeProtection bool
param keyVaultSoftDeleteRetentionDays int
param storageSku string

@description('Public IP addresses or ranges (CIDR) that may reach storage and Key Vault besides the app: operators and the deployment machine. Empty: public network access is off.')
param allowedIpRanges array

param vnetAddressPrefix string
param appSubnetPrefix string
param privateEndpointSubnetPrefix string

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var functionAppName = 'func-dvcsync-${resourceToken}'
// Blob container of the Flex Consumption deployment package (3-63 lower-case characters).
var deploymentContainerName = 'app-package-${take(toLower(functionAppName), 40)}'
var portalPasswordSecretName = 'national-portal-password'
var provincialClientSecretName = 'provincial-system-client-secret'
// NCRONTAB of six fields (second minute hour day month weekday), matching the stalled-reconciliation alert.
var reconcileSchedule = reconcileEverySeconds < 60 ? '*/${reconcileEverySeconds} * * * * *' : reconcileEverySeconds == 3600 ? '0 0 * * * *' : '0 */${reconcileEverySeconds / 60} * * * *'
// Public network access only for the listed ranges; without any, none at all (the app uses private endpoints).
var publicNetworkAccess = empty(allowedIpRanges) ? 'Disabled' : 'Enabled'

// ---------------------------------------------------------------------------------------------------------------
// Network: storage and Key Vault deny every public network; the app reaches them through private endpoints.
// ---------------------------------------------------------------------------------------------------------------

module network 'modules/network.bicep' = {
  name: 'dvcsync-network'
  params: {
    location: location
    tags: tags
    namePrefix: 'dvcsync-${resourceToken}'
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Identity: user-assigned, so that its roles exist before the function app first starts.
// ---------------------------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-dvcsync-${resourceToken}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring: Log Analytics workspace and Application Insights on it.
// ---------------------------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-dvcsync-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-dvcsync-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    // Telemetry only with a Microsoft Entra token: the app's exporters and the Functions host use its identity.
    DisableLocalAuth: true
  }
}

// Entra-authenticated ingestion: the app's identity publishes telemetry.
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Storage: the ledger (tables), the repair queue, the host's locks and the deployment package. No shared keys.
// ---------------------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stdvcsync${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: [for range in allowedIpRanges: { value: range, action: 'Allow' }]
    }
  }
}

// The app's blob (host locks, deployment package), queue and table traffic stays on the private network.
resource storageEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for service in ['blob', 'queue', 'table']: {
    name: 'pe-${service}-dvcsync-${resourceToken}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: network.outputs.privateEndpointSubnetId
      }
      privateLinkServiceConnections: [
        {
          name: service
          properties: {
            privateLinkServiceId: storage.id
            groupIds: [service]
          }
        }
      ]
    }
  }
]

resource storageEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (service, i) in ['blob', 'queue', 'table']: {
    parent: storageEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: service
          properties: {
            privateDnsZoneId: network.outputs.storageZoneIds[service]
          }
        }
      ]
    }
  }
]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The app creates them too at start; created here so that the poison queue can be inspected from the first day.
resource repairQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in [repairQueueName, '${repairQueueName}-poison']: {
    parent: queueService
    name: queue
  }
]

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataContributor, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// ---------------------------------------------------------------------------------------------------------------
// Key Vault (RBAC): the portal password and the provincial client secret.
// ---------------------------------------------------------------------------------------------------------------

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-dvcsync-${take(resourceToken, 11)}'
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
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionDays
    // Purge protection can only be switched on; "false" is sent as "not set".
    enablePurgeProtection: keyVaultPurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: 'Deny'
      // The platform resolves the app's Key Vault references through its private network, not as a trusted service.
      bypass: 'None'
      ipRules: [for range in allowedIpRanges: { value: range }]
    }
  }
}

resource vaultEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: 'pe-vault-dvcsync-${resourceToken}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: network.outputs.privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'vault'
        properties: {
          privateLinkServiceId: vault.id
          groupIds: ['vault']
        }
      }
    ]
  }
}

resource vaultEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: vaultEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'vault'
        properties: {
          privateDnsZoneId: network.outputs.vaultZoneId
        }
      }
    ]
  }
}

resource portalPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: portalPasswordSecretName
  properties: {
    value: nationalPortalPassword
    contentType: 'NationalPortal:Password'
  }
}

resource provincialClientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: provincialClientSecretName
  properties: {
    value: provincialSystemClientSecret
    contentType: 'ProvincialSystem:ClientSecret'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The function app on the Flex Consumption plan.
// ---------------------------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-dvcsync-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var telemetrySettings = [
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
  }
  {
    // The Functions host sends its own telemetry with the app's identity (required once local auth is off).
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  }
]

var storageSettings = [
  {
    name: 'AzureWebJobsStorage__accountName'
    value: storage.name
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storage.properties.primaryEndpoints.blob
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storage.properties.primaryEndpoints.queue
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storage.properties.primaryEndpoints.table
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identity.properties.clientId
  }
  {
    // DefaultAzureCredential (telemetry exporters, SDK clients) picks the user-assigned identity.
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
]

// The scorecard's scoring (Indicators:<id>:MaxPoints, :Threshold), one pair per indicator id.
var scorecardMaxPoints = [for indicator in items(scorecardScoring): {
  name: 'Indicators__${indicator.key}__MaxPoints'
  value: indicator.value.maxPoints
}]
var scorecardThresholds = [for indicator in items(scorecardScoring): {
  name: 'Indicators__${indicator.key}__Threshold'
  value: indicator.value.threshold
}]

// The keys of ../shared/contracts/sync-api.md, `:` written `__`.
var syncSettings = [
  {
    name: 'NationalPortal__BaseUrl'
    value: nationalPortalBaseUrl
  }
  {
    name: 'NationalPortal__Username'
    value: nationalPortalUsername
  }
  {
    name: 'NationalPortal__Password'
    value: '@Microsoft.KeyVault(SecretUri=${portalPasswordSecret.properties.secretUri})'
  }
  {
    name: 'NationalPortal__DstCode'
    value: nationalPortalDstCode
  }
  {
    name: 'NationalPortal__MaDonVi'
    value: nationalPortalMaDonVi
  }
  {
    name: 'NationalPortal__MaxRequestsPerSecond'
    value: string(nationalPortalMaxRequestsPerSecond)
  }
  {
    name: 'ProvincialSystem__BaseUrl'
    value: provincialSystemBaseUrl
  }
  {
    name: 'ProvincialSystem__ClientId'
    value: provincialSystemClientId
  }
  {
    name: 'ProvincialSystem__ClientSecret'
    value: '@Microsoft.KeyVault(SecretUri=${provincialClientSecret.properties.secretUri})'
  }
  {
    name: 'Sync__ReconcileSchedule'
    value: reconcileSchedule
  }
  {
    // A requested audit's slices: a tick with no audit costs one table read.
    name: 'Sync__AuditSchedule'
    value: '30 * * * * *'
  }
  {
    name: 'Sync__HistoryFrom'
    value: historyFrom
  }
  {
    name: 'Sync__RepairQueue'
    value: repairQueueName
  }
  {
    name: 'Indicators__SyncRate__MaxPoints'
    value: syncRateMaxPoints
  }
  {
    name: 'Indicators__SyncRate__Threshold'
    value: syncRateThreshold
  }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
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
    // Outbound traffic, Key Vault references included, goes through the private network to the endpoints above.
    virtualNetworkSubnetId: network.outputs.appSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(storageSettings, telemetrySettings, syncSettings, scorecardMaxPoints, scorecardThresholds)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
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
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  // The roles and the private endpoints first: the app reads its package, its storage and its secrets with them from
  // its first start.
  dependsOn: [
    deploymentContainer
    storageRoles
    vaultSecretsUser
    telemetryPublisher
    storageEndpointDns
    vaultEndpointDns
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------------------------

module alerts 'modules/alerts.bicep' = {
  name: 'dvcsync-alerts'
  params: {
    location: location
    tags: tags
    namePrefix: 'dvcsync-${resourceToken}'
    applicationInsightsId: appInsights.id
    alertEmail: alertEmail
    syncRateThresholdPercent: syncRateAlertThresholdPercent
    reconcileEverySeconds: reconcileEverySeconds
    repairQueueName: repairQueueName
  }
}

output functionAppName string = functionApp.name
output functionAppUri string = 'https://${functionApp.properties.defaultHostName}'
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output applicationInsightsName string = appInsights.name
