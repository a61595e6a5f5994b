// DVC Sync on Azure: `azd up` from the repository root deploys this template (see azure.yaml and docs/operations.md).
// One resource group holding a Flex Consumption function app, its storage reached by managed identity only, a Key
// Vault for the two external secrets, Application Insights on a Log Analytics workspace, and the operators' alerts.
targetScope = 'subscription'

import { perProcessCeiling, portalCallingProcesses } from 'rate-ceiling.bicep'

metadata description = 'DVC Sync: Flex Consumption function app, managed-identity storage, Key Vault, Application Insights and alerts.'

// ---------------------------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd: AZURE_ENV_NAME); names the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan (e.g. southeastasia).')
param location string

@description('Resource group to create or update; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object ID of the person or pipeline running the deployment (azd: AZURE_PRINCIPAL_ID). When set, it gets Key Vault Secrets Officer on the vault so it can rotate the secrets. Empty: no extra role.')
param principalId string = ''

@description('Tags added to every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------------------------------
// Scale and the portal's rate ceiling
// ---------------------------------------------------------------------------------------------------------------

@minValue(1)
@description('The national portal\'s limit for this province, in requests per second, across the whole deployment.')
param portalRequestsPerSecondLimit int = 20

@minValue(1)
@maxValue(1000)
@description('Flex Consumption maximumInstanceCount (per scaling group: the Repair function gets at most this many instances). At most portalRequestsPerSecondLimit - 2: the Reconcile and Audit timers run in a process each beside them.')
param maximumInstanceCount int = 1

@allowed([
  512
  2048
  4096
])
@description('Memory of one Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

// ---------------------------------------------------------------------------------------------------------------
// The external systems (sync-api.md: NationalPortal:*, ProvincialSystem:*)
// ---------------------------------------------------------------------------------------------------------------

@minLength(1)
@description('NationalPortal:BaseUrl, the portal\'s sync adapter (https).')
param nationalPortalBaseUrl string

@minLength(1)
@description('NationalPortal:Username.')
param nationalPortalUsername string

@secure()
@minLength(1)
@description('NationalPortal:Password. Stored in Key Vault; the app setting is a Key Vault reference.')
param nationalPortalPassword string

@minLength(1)
@description('NationalPortal:DstCode, the routing code sent as the dstcode header (e.g. H19).')
param nationalPortalDstCode string

@minLength(1)
@description('NationalPortal:MaDonVi, the province\'s electronic ID code (e.g. 000.00.00.H19).')
param nationalPortalMaDonVi string

@minLength(1)
@description('ProvincialSystem:BaseUrl, the provincial one-stop system\'s read API (https).')
param provincialSystemBaseUrl string

@minLength(1)
@description('ProvincialSystem:ClientId.')
param provincialSystemClientId string

@secure()
@minLength(1)
@description('ProvincialSystem:ClientSecret. Stored in Key Vault; the app setting is a Key Vault reference.')
param provincialSystemClientSecret string

// ---------------------------------------------------------------------------------------------------------------
// The pipeline (sync-api.md: Sync:*, Indicators:*)
// ---------------------------------------------------------------------------------------------------------------

// Seconds that divide a minute (an even beat) or whole minutes that divide an hour.
@allowed([
  5
  10
  15
  20
  30
  60
  120
  180
  300
  600
  900
  1200
  1800
  3600
])
@description('Seconds between two reconciliations: sets Sync:ReconcileSchedule and the window of the "reconciliation stalled" alert. Short by default: a change whose own push was lost is found at the next run (real time); an idle run costs one provincial page read and no portal call.')
param reconcileEverySeconds int = 15

@description('Sync:HistoryFrom (yyyy-MM-dd): the first reconciliation reads every dossier changed since this date. Default: 1 January of the previous year.')
param historyFrom string = '${int(utcNow('yyyy')) - 1}-01-01'

@minLength(3)
@maxLength(56)
@description('Sync:RepairQueue; its poison queue is <name>-poison.')
param repairQueueName string = 'dossier-repair'

@description('Indicators:SyncRate:MaxPoints, the weight of indicator 1.4 on the province\'s dashboard (a decimal number, as text).')
param syncRateMaxPoints string = '2'

@description('Indicators:SyncRate:Threshold, the rate at which indicator 1.4 earns full points (0-1, as text).')
param syncRateThreshold string = '1.0'

@description('Indicators:<id>:MaxPoints and :Threshold of the scorecard\'s other indicators (decimal numbers, as text). The weights are placeholders within the group totals of indicators-766.md: set them to what the province\'s dashboard shows.')
param scorecardScoring object = {
  '2.1': { maxPoints: '20', threshold: '1.0' }
  '3.3': { maxPoints: '4.4', threshold: '0.5' }
  '3.6': { maxPoints: '4.4', threshold: '1.0' }
  '4.1': { maxPoints: '4.4', threshold: '1.0' }
  '4.3': { maxPoints: '4.4', threshold: '0.8' }
  '4.5': { maxPoints: '4.4', threshold: '1.0' }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------------

@minLength(3)
@description('E-mail address(es) that receive the alerts; several are separated by commas.')
param alertEmail string

@minValue(1)
@maxValue(100)
@description('The "sync rate low" alert fires when the province\'s sync rate (metric dvcsync.sync_rate) is below this percentage.')
param syncRateAlertThresholdPercent int = 95

@minValue(30)
@maxValue(730)
@description('Days the Log Analytics workspace keeps logs and metrics.')
param logRetentionDays int = 30

@description('Key Vault purge protection: deleted secrets cannot be purged before the retention ends. Cannot be turned off once on.')
param keyVaultPurgeProtection bool = true

@minValue(7)
@maxValue(90)
@description('Days a deleted Key Vault or secret can be recovered.')
param keyVaultSoftDeleteRetentionDays int = 90

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Redundancy of the storage account holding the ledger, the queues and the deployment package.')
param storageSku string = 'Standard_LRS'

// ---------------------------------------------------------------------------------------------------------------
// Network: storage and Key Vault deny public networks; the app reaches them through private endpoints
// ---------------------------------------------------------------------------------------------------------------

@description('Public IP addresses or CIDR ranges, separated by commas, that may also reach storage and Key Vault: the operators\' and the deployment machine\'s (e.g. "203.0.113.7, 198.51.100.0/28"; a single address without /32). Empty: no public network access at all.')
param allowedIpRanges string = ''

@description('Address space of the virtual network of the app and the private endpoints; pick one that does not overlap networks it may be peered with.')
param vnetAddressPrefix string = '10.60.0.0/16'

@description('Subnet the function app is integrated with (delegated to Microsoft.App/environments; /27 or larger).')
param appSubnetPrefix string = '10.60.0.0/24'

@description('Subnet of the private endpoints of storage (blob, queue, table) and Key Vault.')
param privateEndpointSubnetPrefix string = '10.60.1.0/24'

// ---------------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName, application: 'dvc-sync' })
var allowedIps = filter(map(split(allowedIpRanges, ','), range => trim(range)), range => !empty(range))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: allTags
}

module resources 'resources.bicep' = {
  name: 'dvcsync-resources'
  scope: rg
  params: {
    location: location
    resourceToken: resourceToken
    tags: allTags
    principalId: principalId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    // The module's @minValue(1) fails the deployment, naming this parameter, when the cap leaves less than one
    // request per second for each process.
    nationalPortalMaxRequestsPerSecond: perProcessCeiling(portalRequestsPerSecondLimit, maximumInstanceCount)
    nationalPortalBaseUrl: nationalPortalBaseUrl
    nationalPortalUsername: nationalPortalUsername
    nationalPortalPassword: nationalPortalPassword
    nationalPortalDstCode: nationalPortalDstCode
    nationalPortalMaDonVi: nationalPortalMaDonVi
    provincialSystemBaseUrl: provincialSystemBaseUrl
    provincialSystemClientId: provincialSystemClientId
    provincialSystemClientSecret: provincialSystemClientSecret
    reconcileEverySeconds: reconcileEverySeconds
    historyFrom: historyFrom
    repairQueueName: repairQueueName
    syncRateMaxPoints: syncRateMaxPoints
    syncRateThreshold: syncRateThreshold
    scorecardScoring: scorecardScoring
    alertEmail: alertEmail
    syncRateAlertThresholdPercent: syncRateAlertThresholdPercent
    logRetentionDays: logRetentionDays
    keyVaultPurgeProtection: keyVaultPurgeProtection
    keyVaultSoftDeleteRetentionDays: keyVaultSoftDeleteRetentionDays
    storageSku: storageSku
    allowedIpRanges: allowedIps
    vnetAddressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_FUNCTION_URI string = resources.outputs.functionAppUri
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
output NATIONAL_PORTAL_PROCESSES int = portalCallingProcesses(maximumInstanceCount)
output NATIONAL_PORTAL_MAX_REQUESTS_PER_SECOND int = perProcessCeiling(portalRequestsPerSecondLimit, maximumInstanceCount)
