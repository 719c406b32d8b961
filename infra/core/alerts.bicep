// Alerts: one action group, log search alerts (scheduled query rules) on the app's telemetry in
// Application Insights, and metric alerts on the data account. docs/OPERATIONS.md is the runbook:
// what each alert means, what to check first, and how to switch it off (`disabledAlerts`).
//
// Cost (docs/OPERATIONS.md#what-the-alerts-cost): a log search alert is billed per rule by how often
// it runs, and a rule split by a dimension per time series (each device, address or verdict it
// reports); a metric alert per time series monitored. A disabled rule is not evaluated. Each rule
// below says how often it runs.

import { failedKeyOutcomes, ingestFunctionName, ingestLines, silentDeviceLines, sweepDeviceLines, sweepRunLines } from 'telemetry-queries.bicep'

@description('The alerts by name, for switching them off.')
type alertName =
  | 'deviceSilence'
  | 'serverErrors'
  | 'fleetSilence'
  | 'failedKeys'
  | 'clock'
  | 'orphans'
  | 'sweepStalled'
  | 'storageAvailability'
  | 'storageLatency'

@description('Azure region of the log search alerts (the Application Insights component\'s).')
param location string

@description('Tags applied to every resource.')
param tags { *: string }

@description('Resource id of the Application Insights component the log search alerts query.')
param applicationInsightsId string

@description('Resource id of the data storage account the metric alerts watch.')
param dataStorageAccountId string

@description('Short name of the action group (at most 12 characters; shown in SMS and e-mail).')
@maxLength(12)
param actionGroupShortName string = 'telemetry'

@description('E-mail addresses that receive every alert (common alert schema).')
param alertEmails string[] = []

@description('Webhooks that receive every alert as the common alert schema JSON. Parameters are kept in the deployment history in clear: no URL that carries a token (docs/OPERATIONS.md#receivers).')
param alertWebhookUrls string[] = []

@description('Alerts to create switched off (not evaluated).')
param disabledAlerts alertName[] = []

@description('serverErrors: percentage of ingest requests answered 5xx over 5 minutes above which it fires.')
@minValue(1)
@maxValue(100)
param serverErrorPercent int = 5

@description('serverErrors: fewer requests than this in 5 minutes are not judged (one 503 of two is not an outage).')
@minValue(1)
param serverErrorMinRequests int = 20

@description('fleetSilence: it fires when no file at all was accepted for this long.')
@allowed([
  'PT15M'
  'PT30M'
  'PT45M'
  'PT1H'
  'PT2H'
  'PT3H'
  'PT6H'
])
param fleetSilenceWindow string = 'PT30M'

@description('failedKeys: refused keys from one address (an IPv4 address or an IPv6 /64) in 5 minutes.')
@minValue(1)
param failedKeysPerAddress int = 30

@description('failedKeys: refused keys from all addresses together in 5 minutes.')
@minValue(1)
param failedKeysTotal int = 100

@description('storageAvailability: the data account\'s availability (%) below which it fires.')
param storageAvailabilityPercent int = 99

@description('storageLatency: the data account\'s average end-to-end latency (ms) above which it fires.')
param storageLatencyMs int = 1000

var on = {
  deviceSilence: !contains(disabledAlerts, 'deviceSilence')
  serverErrors: !contains(disabledAlerts, 'serverErrors')
  fleetSilence: !contains(disabledAlerts, 'fleetSilence')
  failedKeys: !contains(disabledAlerts, 'failedKeys')
  clock: !contains(disabledAlerts, 'clock')
  orphans: !contains(disabledAlerts, 'orphans')
  sweepStalled: !contains(disabledAlerts, 'sweepStalled')
  storageAvailability: !contains(disabledAlerts, 'storageAvailability')
  storageLatency: !contains(disabledAlerts, 'storageLatency')
}

var once = {
  numberOfEvaluationPeriods: 1
  minFailingPeriodsToAlert: 1
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-telemetry-${uniqueString(applicationInsightsId)}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: actionGroupShortName
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmails: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: [
      for (url, i) in alertWebhookUrls: {
        name: 'webhook-${i}'
        serviceUri: url
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = {
  actionGroups: [
    actionGroup.id
  ]
}

// Every 5 minutes, 15-minute window, split by device (one time series per silent device). The
// sweep (every 5 minutes) writes one device.silent line per silent device; the alert fires per
// device while they come and resolves once they stop (the device sent again and the sweep confirmed
// it), at most 15 minutes later.
resource deviceSilence 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-device-silence-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Device silent'
    description: 'A device that sent within the last 7 days has sent nothing for longer than its expected interval (npm run device -- set <id> --expect-every 2h). Runbook: docs/OPERATIONS.md#device-silent'
    severity: 2
    enabled: on.deviceSilence
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '${silentDeviceLines}| summarize arg_max(timestamp, lastFileAt, silentForSeconds, expectEverySeconds) by device'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'device'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 5 minutes over 5 minutes, one time series. Reads the host's own `requests` rows (never
// sampled), so a 5xx the handler never saw (a timeout, a crashed worker) counts too.
resource serverErrors 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-server-errors-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Ingest 5xx ratio'
    description: 'More than ${serverErrorPercent}% of ingest requests were answered 5xx in 5 minutes: gateways keep their files and retry, but nothing new is stored. Runbook: docs/OPERATIONS.md#ingest-5xx-ratio'
    severity: 1
    enabled: on.serverErrors
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'requests\n| where name == "${ingestFunctionName}"\n| summarize total = count(), serverErrors = countif(toint(resultCode) >= 500)\n| where total >= ${serverErrorMinRequests}\n| extend serverErrorPercent = 100.0 * serverErrors / total\n'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'serverErrorPercent'
          operator: 'GreaterThan'
          threshold: serverErrorPercent
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 5 minutes over `fleetSilenceWindow`, one time series: no request answered 200 at all.
resource fleetSilence 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-fleet-silence-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'No file accepted (fleet silence)'
    description: 'No ingest request was answered 200 for ${fleetSilenceWindow}: the endpoint, its DNS or certificate, or the gateways\' network is down. Runbook: docs/OPERATIONS.md#no-file-accepted-fleet-silence'
    severity: 1
    enabled: on.fleetSilence
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: fleetSilenceWindow
    criteria: {
      allOf: [
        {
          query: '${ingestLines}| where status == 200\n'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 5 minutes over 5 minutes, split by `scope`: each address over its threshold, and
// "all addresses" when the total is over its own.
resource failedKeys 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-failed-keys-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Burst of refused device keys'
    description: 'Forged, unknown, revoked or another device\'s keys: over ${failedKeysPerAddress} from one address, or ${failedKeysTotal} in all, in 5 minutes. Runbook: docs/OPERATIONS.md#burst-of-refused-device-keys'
    severity: 2
    enabled: on.failedKeys
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'let refused = ${ingestLines}| where outcome in ${failedKeyOutcomes};\nunion\n  (refused | summarize failures = count(), devices = dcount(device) by scope = client | where failures >= ${failedKeysPerAddress}),\n  (refused | summarize failures = count(), devices = dcount(device) | where failures >= ${failedKeysTotal} | extend scope = "all addresses")\n'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'scope'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 15 minutes over 1 hour, split by device and verdict: files whose own times prove a fast
// clock (ahead) or a reset, as coverage judges them (shared/telemetry/clockEvidence.ts).
resource clock 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-clock-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Device clock ahead or reset'
    description: 'A device sent files dated in the future of their receipt (ahead by more than 5 min) or before 2000 / over a day ahead (reset). Buffered files never trigger it. Runbook: docs/OPERATIONS.md#device-clock-ahead-or-reset'
    severity: 3
    enabled: on.clock
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '${ingestLines}| where clock in ("ahead", "reset")\n| summarize files = count(), maxAheadSeconds = max(0 - delaySeconds) by device, clock\n'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'device'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'clock'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 15 minutes over 15 minutes, split by device: claims the sweep found without their blob
// hours after (the gateway never got a 200 and still holds the file).
resource orphans 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-orphans-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Orphaned claims'
    description: 'The sweep found claims whose blob never landed: no data was lost (the gateway keeps the file), but a device is failing to upload or storage failed writes. Runbook: docs/OPERATIONS.md#orphaned-claims'
    severity: 3
    enabled: on.orphans
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '${sweepDeviceLines}| where orphaned > 0\n'
          timeAggregation: 'Total'
          metricMeasureColumn: 'orphaned'
          dimensions: [
            {
              name: 'device'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Every 10 minutes over 30 minutes, one time series: the sweep (every 5 minutes by default) logged
// no run. Device silence and orphans are judged by the sweep, so this watches the watcher.
resource sweepStalled 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-sweep-stalled-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sweep not running'
    description: 'No sweep run was logged for 30 minutes: files stay unconfirmed, and device silence and orphans go unreported. Runbook: docs/OPERATIONS.md#sweep-not-running'
    severity: 2
    enabled: on.sweepStalled
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT10M'
    windowSize: 'PT30M'
    criteria: {
      allOf: [
        {
          query: sweepRunLines
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: once
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Platform metrics of the data account, every 5 minutes over 15 minutes: one time series each.
resource storageAvailability 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-storage-availability-${uniqueString(dataStorageAccountId)}'
  location: 'global'
  tags: tags
  properties: {
    description: 'The data account answered under ${storageAvailabilityPercent}% of requests successfully: ingest answers 503 and gateways retry. Runbook: docs/OPERATIONS.md#data-account-availability-or-latency'
    severity: 1
    enabled: on.storageAvailability
    scopes: [
      dataStorageAccountId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'availability'
          metricNamespace: 'Microsoft.Storage/storageAccounts'
          metricName: 'Availability'
          timeAggregation: 'Average'
          operator: 'LessThan'
          threshold: storageAvailabilityPercent
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource storageLatency 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-storage-latency-${uniqueString(dataStorageAccountId)}'
  location: 'global'
  tags: tags
  properties: {
    description: 'The data account\'s successful requests took over ${storageLatencyMs} ms on average end to end: uploads near their storage deadline (STORAGE_TIMEOUT_MS) turn into 503s. Runbook: docs/OPERATIONS.md#data-account-availability-or-latency'
    severity: 2
    enabled: on.storageLatency
    scopes: [
      dataStorageAccountId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'latency'
          metricNamespace: 'Microsoft.Storage/storageAccounts'
          metricName: 'SuccessE2ELatency'
          timeAggregation: 'Average'
          operator: 'GreaterThan'
          threshold: storageLatencyMs
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

@description('Resource id of the action group every alert notifies.')
output actionGroupId string = actionGroup.id
