// The one place where built-in role definition ids live. Every role assignment imports this map,
// and tests/QlikBackup.Infra.Tests checks each id against Azure's published built-in roles list.

@export()
@description('Azure built-in role definition ids (GUIDs), by role.')
var builtInRoles = {
  // Functions host storage (AzureWebJobsStorage): the host manages blobs and leases.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Recovery-point blobs: read, write, delete (pruning); no ACL management.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Durable Functions work-item and control queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions history/instances tables and the recovery-point index tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Key-encryption key: read key metadata, wrap and unwrap only (no encrypt/decrypt/sign/backup).
  keyVaultCryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6'
  // Key Vault references in app settings (Qlik credentials, webhook secret).
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // The deploying user, so that `az keyvault secret set` works after `azd up`.
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Entra-authenticated telemetry to Application Insights (local auth is disabled).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
