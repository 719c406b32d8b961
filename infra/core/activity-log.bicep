// The subscription's Activity Log into the environment's Log Analytics workspace: deletions of
// resources, locks and role assignments, and who made them. A diagnostic setting of the subscription
// is a subscription-scope resource: it outlives the resource group (azd down leaves it, pointing at a
// deleted workspace; docs/DEPLOY.md says how to remove it), and a subscription allows at most five.
targetScope = 'subscription'

@description('Name of the diagnostic setting (one per environment).')
param name string

@description('Resource id of the Log Analytics workspace that receives the Activity Log.')
param workspaceId string

// The Activity Log categories (the subscription has no category groups).
var categories = [
  'Administrative'
  'Security'
  'ServiceHealth'
  'Alert'
  'Recommendation'
  'Policy'
  'Autoscale'
  'ResourceHealth'
]

// 2021-05-01-preview, as in Microsoft's Activity Log samples (see core/diagnostics.bicep).
#disable-next-line use-recent-api-versions
resource activityLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  properties: {
    workspaceId: workspaceId
    logs: [
      for category in categories: {
        category: category
        enabled: true
      }
    ]
  }
}
