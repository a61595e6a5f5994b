// The operators' alerts: log search rules on Application Insights, one action group that e-mails the operators.
// The metric names are the app's contract with this file; docs/operations.md lists them, and the app must emit exactly
// these (OpenTelemetry instrument names, exported to Application Insights as customMetrics).

param location string
param tags object

@description('Prefix of the alert and action group names.')
param namePrefix string

@description('Resource ID of the Application Insights component the rules query.')
param applicationInsightsId string

@description('E-mail address(es), separated by commas.')
param alertEmail string

@minValue(1)
@maxValue(100)
param syncRateThresholdPercent int

@minValue(1)
@maxValue(3600)
param reconcileEverySeconds int

@description('Sync:RepairQueue; the Functions host moves messages to <name>-poison after five failed deliveries.')
param repairQueueName string

// "No reconciliation finished (or moved the watermark) for three schedule periods or one hour, whichever is longer" —
// the same limit after which /api/health answers unhealthy (sync-api.md).
var stalledAfterMinutes = max(3 * reconcileEverySeconds / 60, 60)

var emails = filter(map(split(alertEmail, ','), e => trim(e)), e => !empty(e))

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'dvcsync'
    enabled: true
    emailReceivers: [
      for (email, i) in emails: {
        name: 'operator-${i + 1}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

// Every rule: one query over Application Insights; it fires when the query's single number crosses the threshold.
var rules = [
  {
    key: 'sync-rate-low'
    displayName: 'DVC Sync: sync rate below ${syncRateThresholdPercent}%'
    description: 'The latest dvcsync.sync_rate (share of received dossiers the national portal holds, indicator 1.4) of at least one agency is below ${syncRateThresholdPercent}%. See docs/operations.md, "Alerts".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT${stalledAfterMinutes}M'
    query: format(
      '''
customMetrics
| where name == "dvcsync.sync_rate"
| extend agency = tostring(customDimensions["agency"])
| summarize arg_max(timestamp, value) by agency
| summarize belowThreshold = countif(value * 100 < {0})
''',
      syncRateThresholdPercent
    )
    measure: 'belowThreshold'
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    key: 'repairs-abandoned'
    displayName: 'DVC Sync: dossiers abandoned'
    description: 'At least one dossier became "abandoned" (dvcsync.repairs with outcome=abandoned): its repair failed transiently for longer than Sync:GiveUpHours. See docs/operations.md, "Alerts".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: '''
customMetrics
| where name == "dvcsync.repairs" and tostring(customDimensions["outcome"]) == "abandoned"
| summarize abandoned = sum(valueSum)
'''
    measure: 'abandoned'
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    key: 'freshness-slow'
    displayName: 'DVC Sync: changes reach the portal late'
    description: 'A dossier was confirmed on the portal more than 10 minutes after its change at the source (the largest dvcsync.freshness in 15 minutes): repairs are held back (portal down, circuit open, a backlog draining) or the reconciliation falls behind. Real time is about 20 s. See docs/operations.md, "Alerts".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: '''
customMetrics
| where name == "dvcsync.freshness"
| summarize worst = max(valueMax)
'''
    measure: 'worst'
    operator: 'GreaterThan'
    threshold: 600
  }
  {
    key: 'poison-messages'
    displayName: 'DVC Sync: repair messages in the poison queue'
    description: 'A repair message failed five deliveries and went to ${repairQueueName}-poison (dvcsync.poison_messages, or the Functions host\'s "Moving message to queue" log); its dossier is now abandoned. See docs/operations.md, "Alerts".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: format(
      '''
union
  (customMetrics | where name == "dvcsync.poison_messages" | summarize poison = sum(valueSum)),
  (traces | where message has "Moving message to queue" and message has "{0}-poison" | summarize poison = todouble(count()))
| summarize poison = sum(poison)
''',
      repairQueueName
    )
    measure: 'poison'
    operator: 'GreaterThan'
    threshold: 0
  }
  {
    key: 'reconcile-stalled'
    displayName: 'DVC Sync: no reconciliation finished or moved on for ${stalledAfterMinutes} minutes'
    description: 'No dvcsync.reconcile.runs with result=finished, nor sliced (a run its time budget ended after it moved the watermark: a long first run catching up), for ${stalledAfterMinutes} minutes (three schedule periods or one hour, whichever is longer): /api/health answers unhealthy. See docs/operations.md, "Alerts".'
    severity: 1
    frequency: 'PT15M'
    window: 'PT${stalledAfterMinutes}M'
    query: '''
customMetrics
| where name == "dvcsync.reconcile.runs" and tostring(customDimensions["result"]) in ("finished", "sliced")
| summarize progressed = count()
'''
    measure: 'progressed'
    operator: 'LessThan'
    threshold: 1
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: 'alert-${namePrefix}-${rule.key}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Total'
            metricMeasureColumn: rule.measure
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
output alertRuleNames array = [for (rule, i) in rules: alertRules[i].name]
