// The KQL that turns the app's log lines into typed rows, shared by the alerts (alerts.bicep) and
// the workbook (workbook.bicep). The Functions host sends each `context.log` line of the Node.js
// worker to Application Insights as a `traces` row whose `message` is the line itself (the worker
// cannot add customDimensions: docs/OPERATIONS.md#telemetry). Our lines are JSON with `event` first
// (shared/requestLog.ts, shared/sweep/sweepLog.ts), so a query picks them by the message's prefix,
// a cheap string match, before parsing any JSON, then projects typed columns: everything after this
// prefix is checked by the Kusto parser against those columns (test/infra/kql.test.ts).

@export()
@description('One row per ingest request: the fields of shared/requestLog.ts, typed.')
var ingestLines = '''
traces
| where message startswith '{"event":"ingest"'
| extend line = parse_json(message)
| project timestamp, severityLevel, operation_Id, device = tostring(line.device), outcome = tostring(line.outcome), status = toint(line.status), client = tostring(line.client), bytes = tolong(line.bytes), model = tostring(line.model), readings = toint(line.readings), clockOffsetSeconds = tolong(line.clockOffsetSeconds), delaySeconds = tolong(line.delaySeconds), clock = tostring(line.clock), ms = todouble(line.ms)
'''

@export()
@description('One row per sweep run (shared/sweep/sweepLog.ts).')
var sweepRunLines = '''
traces
| where message startswith '{"event":"sweep"'
| extend line = parse_json(message)
| project timestamp, devices = toint(line.devices), confirmed = toint(line.confirmed), orphaned = toint(line.orphaned), stillPending = toint(line.stillPending), ms = todouble(line.ms)
'''

@export()
@description('One row per device a sweep run found something for.')
var sweepDeviceLines = '''
traces
| where message startswith '{"event":"sweep.device"'
| extend line = parse_json(message)
| project timestamp, device = tostring(line.device), confirmed = toint(line.confirmed), orphaned = toint(line.orphaned), stillPending = toint(line.stillPending), lastFileAt = todatetime(line.lastFileAt)
'''

@export()
@description('One row per silent device per sweep run (shared/silence.ts: the rule of `telemetry-ops silent`).')
var silentDeviceLines = '''
traces
| where message startswith '{"event":"device.silent"'
| extend line = parse_json(message)
| project timestamp, device = tostring(line.device), lastFileAt = todatetime(line.lastFileAt), silentForSeconds = tolong(line.silentForSeconds), expectEverySeconds = tolong(line.expectEverySeconds)
'''

@export()
@description('The outcomes of a refused key: unknown, forged or revoked (401), or another device\'s (403).')
var failedKeyOutcomes = '("invalid_credentials", "forbidden")'

@export()
@description('The ingest function as the host names it in the `requests` table (functions/ingest.ts).')
var ingestFunctionName = 'ingest'
