// The operators' workbook, shared in the resource group and pinned to Application Insights: what
// the endpoint answered, how fast, who failed to authenticate, when each device was last seen and
// how long its files waited, and which hours of the last week had files. Its queries read only what
// the app's log lines and the host's `requests` rows hold (telemetry-queries.bicep), so it opens
// without edits. Each query carries its own time range: no parameter to fill in.

import { failedKeyOutcomes, ingestFunctionName, ingestLines, silentDeviceLines } from 'telemetry-queries.bicep'

@description('Azure region of the workbook (the Application Insights component\'s).')
param location string

@description('Tags applied to the workbook.')
param tags { *: string }

@description('Resource id of the Application Insights component the queries read.')
param applicationInsightsId string

@description('Display name in the portal.')
param displayName string = 'Telemetry ingest: operations'

var day = 86400000
var week = 604800000

var workbook = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'Requests'
      content: {
        json: '## Requests\nEvery ingest request, by what it was answered (`outcome`: `stored`, `duplicate` or the error code of docs/API.md).'
      }
    }
    {
      type: 3
      name: 'Requests by outcome'
      content: {
        version: 'KqlItem/1.0'
        title: 'Requests by outcome'
        query: '${ingestLines}| summarize requests = count() by bin(timestamp, 15m), outcome\n'
        size: 0
        timeContext: {
          durationMs: day
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
    }
    {
      type: 3
      name: 'Duration p50 and p99 (ms)'
      content: {
        version: 'KqlItem/1.0'
        title: 'Duration p50 and p99 (ms)'
        query: 'requests\n| where name == "${ingestFunctionName}"\n| summarize p50 = percentile(duration, 50), p99 = percentile(duration, 99) by bin(timestamp, 15m)\n'
        size: 0
        timeContext: {
          durationMs: day
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
    }
    {
      type: 3
      name: 'Top error codes'
      content: {
        version: 'KqlItem/1.0'
        title: 'Top error codes'
        query: '${ingestLines}| where status >= 400\n| summarize requests = count(), devices = dcount(device) by outcome, status\n| top 10 by requests\n'
        size: 0
        timeContext: {
          durationMs: day
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'Refused keys by address'
      content: {
        version: 'KqlItem/1.0'
        title: 'Refused keys by address'
        query: '${ingestLines}| where outcome in ${failedKeyOutcomes}\n| summarize failures = count(), devices = dcount(device), lastSeen = max(timestamp) by client, outcome\n| top 20 by failures\n'
        size: 0
        timeContext: {
          durationMs: day
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 1
      name: 'Devices'
      content: {
        json: '## Devices\nLast seen is the last file answered 200; the delay is how long files waited on the gateway (receipt minus the file\'s latest time; clock resets left out). Silent devices are those the sweep names by the silence rule (`npm run ops -- silent`).'
      }
    }
    {
      type: 3
      name: 'Silent now'
      content: {
        version: 'KqlItem/1.0'
        title: 'Silent now'
        query: '${silentDeviceLines}| where timestamp > ago(15m)\n| summarize arg_max(timestamp, lastFileAt, silentForSeconds, expectEverySeconds) by device\n| project device, lastFileAt, silentForHours = round(silentForSeconds / 3600.0, 1), expectEveryHours = round(expectEverySeconds / 3600.0, 1)\n'
        size: 0
        timeContext: {
          durationMs: day
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'Last seen and buffering delay'
      content: {
        version: 'KqlItem/1.0'
        title: 'Last seen and buffering delay'
        query: '${ingestLines}| where status == 200\n| extend waited = iff(clock == "reset", long(null), delaySeconds)\n| summarize lastSeen = max(timestamp), files = count(), readings = sum(readings), medianDelaySeconds = percentile(waited, 50), maxDelaySeconds = max(waited), models = make_set(model) by device\n| order by lastSeen asc\n'
        size: 0
        timeContext: {
          durationMs: week
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'Hours with files, last 7 days'
      content: {
        version: 'KqlItem/1.0'
        title: 'Hours with files, last 7 days'
        query: '${ingestLines}| where timestamp > ago(7d) and outcome == "stored"\n| summarize by device, hour = bin(timestamp, 1h)\n| summarize hoursWithFiles = count(), firstHour = min(hour), lastHour = max(hour) by device\n| extend ofHours = 168\n| order by hoursWithFiles asc\n'
        size: 0
        timeContext: {
          durationMs: week
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'Files stored per device and hour, last 7 days'
      content: {
        version: 'KqlItem/1.0'
        title: 'Files stored per device and hour, last 7 days'
        query: '${ingestLines}| where timestamp > ago(7d) and outcome == "stored"\n| summarize files = count() by bin(timestamp, 1h), device\n'
        size: 0
        timeContext: {
          durationMs: week
        }
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
    }
  ]
  fallbackResourceIds: [
    applicationInsightsId
  ]
  '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
}

resource operations 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per component, so a redeploy updates it.
  name: guid(applicationInsightsId, 'operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: string(workbook)
  }
}

@description('Resource id of the workbook.')
output id string = operations.id
