// Production: the province's real portal account and one-stop system. The external systems' addresses, accounts
// and secrets come from environment variables (set them from the pipeline's secret store; building this file fails,
// naming the variable, when one is missing), e.g.
//   az deployment sub create -l southeastasia -n dvcsync-prod -f infra/main.bicep -p infra/env/prod.bicepparam
// Secrets are never written in this file.
using '../main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dvcsync-prod')
param location = readEnvironmentVariable('AZURE_LOCATION', 'southeastasia')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')

// The portal allows about 20 requests a second. One Repair instance and the Reconcile run share it:
// each process may send floor(20 / (1 + 2)) = 6/s. More instances add no throughput — the portal is the bottleneck.
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
param historyFrom = readEnvironmentVariable('SYNC_HISTORY_FROM', '2025-01-01')
param repairQueueName = 'dossier-repair'
// Set to the weight of indicator 1.4 the province's dashboard shows (README, "Configuration").
param syncRateMaxPoints = readEnvironmentVariable('SYNC_RATE_MAX_POINTS', '2')
param syncRateThreshold = '1.0'

param alertEmail = readEnvironmentVariable('ALERT_EMAIL')
param syncRateAlertThresholdPercent = 95
param logRetentionDays = 90
param keyVaultPurgeProtection = true
param keyVaultSoftDeleteRetentionDays = 90
// Operators' and the deployment machine's public addresses, comma-separated; storage and Key Vault refuse every other
// public network (the app goes through private endpoints).
param allowedIpRanges = readEnvironmentVariable('ALLOWED_IP_RANGES', '')
param storageSku = 'Standard_ZRS'
