// Development / test environment: the portal's and the provincial system's test endpoints, relaxed retention.
// The external systems' addresses, accounts and secrets come from environment variables (building this file
// fails, naming the variable, when one is missing); see docs/operations.md, "Deploy", e.g.
//   az deployment sub create -l southeastasia -n dvcsync-dev -f infra/main.bicep -p infra/env/dev.bicepparam
// (`azd up` uses infra/main.parameters.json instead.) Secrets are never written in this file.
using '../main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dvcsync-dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'southeastasia')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')

// The portal's limit for this deployment and the instance cap: each process may send floor(20 / (1 + 2)) = 6/s.
param portalRequestsPerSecondLimit = 20
param maximumInstanceCount = 1
param instanceMemoryMB = 2048

param nationalPortalBaseUrl = readEnvironmentVariable('NATIONAL_PORTAL_BASE_URL')
param nationalPortalUsername = readEnvironmentVariable('NATIONAL_PORTAL_USERNAME')
param nationalPortalPassword = readEnvironmentVariable('NATIONAL_PORTAL_PASSWORD')
param nationalPortalDstCode = readEnvironmentVariable('NATIONAL_PORTAL_DSTCODE')
param nationalPortalMaDonVi = readEnvironmentVariable('NATIONAL_PORTAL_MADONVI')
param provincialSystemBaseUrl = readEnvironmentVariable('PROVINCIAL_SYSTEM_BASE_URL')
param provincialSystemClientId = readEnvironmentVariable('PROVINCIAL_SYSTEM_CLIENT_ID')
param provincialSystemClientSecret = readEnvironmentVariable('PROVINCIAL_SYSTEM_CLIENT_SECRET')

param reconcileEverySeconds = 15
param historyFrom = '2025-01-01'
param repairQueueName = 'dossier-repair'
param syncRateMaxPoints = '2'
param syncRateThreshold = '1.0'

param alertEmail = readEnvironmentVariable('ALERT_EMAIL')
param syncRateAlertThresholdPercent = 90
param logRetentionDays = 30
// A dev vault can be deleted and recreated under the same name after `azd down --purge`.
param keyVaultPurgeProtection = false
param keyVaultSoftDeleteRetentionDays = 7
// Operators' and the deployment machine's public addresses, comma-separated; storage and Key Vault refuse every other
// public network (the app goes through private endpoints).
param allowedIpRanges = readEnvironmentVariable('ALLOWED_IP_RANGES', '')
param storageSku = 'Standard_LRS'
