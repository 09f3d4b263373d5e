// Consumption Logic App that receives the app's alerts over HTTP and sends them on: as an
// Adaptive Card to a Teams webhook, or as the raw JSON to any HTTP endpoint (an e-mail relay, a
// ticketing system). Without a target it only records each alert in its run history.

import { resourceTags } from 'types.bicep'

param name string

@export()
@description('Name of the HTTP request trigger whose callback URL the Function app posts alerts to.')
var triggerName = 'manual'
param location string
param tags resourceTags

@allowed(['teams', 'http', 'none'])
param alertTargetKind string

@secure()
@description('Teams (Workflows or incoming) webhook URL, or the HTTP endpoint alerts are POSTed to.')
param alertTargetUrl string

var forwards = alertTargetKind != 'none' && !empty(alertTargetUrl)

// Fields of the alert the app posts (QlikBackup.Core.Alerts.LogicAppAlertSink).
var alertSchema = {
  type: 'object'
  properties: {
    kind: { type: 'string' }
    severity: { type: 'string' }
    title: { type: 'string' }
    detail: { type: 'string' }
    reference: { type: ['string', 'null'] }
    raisedAt: { type: 'string' }
  }
}

var teamsBody = {
  type: 'message'
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive'
      content: {
        type: 'AdaptiveCard'
        '$schema': 'http://adaptivecards.io/schemas/adaptive-card.json'
        version: '1.4'
        body: [
          {
            type: 'TextBlock'
            weight: 'Bolder'
            wrap: true
            text: 'QlikBackup @{triggerBody()?[\'severity\']}: @{triggerBody()?[\'title\']}'
          }
          {
            type: 'TextBlock'
            wrap: true
            text: '@{triggerBody()?[\'detail\']}'
          }
          {
            type: 'FactSet'
            facts: [
              { title: 'Kind', value: '@{triggerBody()?[\'kind\']}' }
              { title: 'Reference', value: '@{coalesce(triggerBody()?[\'reference\'], \'-\')}' }
              { title: 'Raised at', value: '@{triggerBody()?[\'raisedAt\']}' }
            ]
          }
        ]
      }
    }
  ]
}

var forwardAction = forwards
  ? {
      type: 'Http'
      inputs: {
        method: 'POST'
        uri: '@parameters(\'alertTargetUrl\')'
        headers: { 'Content-Type': 'application/json' }
        body: alertTargetKind == 'teams' ? teamsBody : '@triggerBody()'
      }
      // The target URL carries its own credential: keep it out of run history.
      runtimeConfiguration: { secureData: { properties: ['inputs'] } }
      runAfter: {}
    }
  : {
      type: 'Compose'
      inputs: '@triggerBody()'
      runAfter: {}
    }

resource workflow 'Microsoft.Logic/workflows@2019-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    state: 'Enabled'
    definition: {
      '$schema': 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#'
      contentVersion: '1.0.0.0'
      parameters: {
        alertTargetUrl: {
          type: 'SecureString'
          defaultValue: ''
        }
      }
      triggers: {
        // Must equal triggerName above (a computed key would be an ARM expression inside the definition).
        manual: {
          type: 'Request'
          kind: 'Http'
          inputs: {
            method: 'POST'
            schema: alertSchema
          }
        }
      }
      actions: {
        Forward: forwardAction
        Accepted: {
          type: 'Response'
          kind: 'Http'
          inputs: { statusCode: 202 }
          runAfter: { Forward: ['Succeeded'] }
        }
        ForwardFailed: {
          type: 'Response'
          kind: 'Http'
          inputs: {
            statusCode: 502
            body: { error: 'The alert could not be delivered to its target.' }
          }
          runAfter: { Forward: ['Failed', 'TimedOut'] }
        }
      }
      outputs: {}
    }
    parameters: {
      alertTargetUrl: { value: alertTargetUrl }
    }
  }
}

output name string = workflow.name
