using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>Role definition ids in infra/modules/roles.bicep are Azure's built-in roles, and are used least-privilege.</summary>
[Collection(TemplateCollection.Name)]
public sealed partial class RoleDefinitionTests(CompiledTemplate template)
{
    private sealed record BuiltInRole(string RoleName, string Id, string Source);

    /// <summary>
    /// Checked by hand against the "name" (= role definition id) of each role's JSON definition in
    /// Microsoft's generated built-in roles reference (learn.microsoft.com, sources in MicrosoftDocs/azure-docs
    /// articles/role-based-access-control/built-in-roles/{storage,security,monitor}.md).
    /// </summary>
    private static readonly Dictionary<string, BuiltInRole> Published = new()
    {
        ["storageBlobDataOwner"] = new("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-owner"),
        ["storageBlobDataContributor"] = new("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor"),
        ["storageQueueDataContributor"] = new("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-queue-data-contributor"),
        ["storageTableDataContributor"] = new("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-table-data-contributor"),
        ["keyVaultCryptoServiceEncryptionUser"] = new("Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-service-encryption-user"),
        ["keyVaultSecretsUser"] = new("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user"),
        ["keyVaultSecretsOfficer"] = new("Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer"),
        ["monitoringMetricsPublisher"] = new("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#monitoring-metrics-publisher"),
    };

    private JsonObject RoleModule => template.Module("roleAssignments");

    private Dictionary<string, string> RolesInBicep =>
        RoleModule["variables"]!["builtInRoles"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);

    [Fact]
    public void Every_role_id_matches_the_published_built_in_role()
    {
        var roles = RolesInBicep;

        Assert.Equal(Published.Keys.Order(), roles.Keys.Order());
        Assert.All(roles, r => Assert.True(
            string.Equals(Published[r.Key].Id, r.Value, StringComparison.OrdinalIgnoreCase),
            $"{r.Key} is {r.Value}, but '{Published[r.Key].RoleName}' is {Published[r.Key].Id} ({Published[r.Key].Source})"));
    }

    [Fact]
    public void No_role_id_is_written_anywhere_but_the_roles_map()
    {
        var json = CompiledTemplate.Text(template.Root);
        var ids = Guid().Matches(json).Select(m => m.Value.ToLowerInvariant()).ToList();

        // Each id appears once: in the compiled builtInRoles variable.
        Assert.Equal(Published.Values.Select(r => r.Id).Order(), ids.Order());
    }

    [Fact]
    public void Every_role_assignment_takes_its_role_from_the_map_and_every_role_is_used()
    {
        var module = RoleModule;
        var assignments = module["resources"]!.AsObject()
            .Where(r => (string?)r.Value!["type"] == "Microsoft.Authorization/roleAssignments")
            .ToDictionary(r => r.Key, r => (string)r.Value!["properties"]!["roleDefinitionId"]!);
        Assert.All(assignments, a => Assert.Matches(@"^\[subscriptionResourceId\('Microsoft.Authorization/roleDefinitions', variables\('", a.Value));

        var used = CompiledTemplate.Text(module);
        Assert.All(Published.Keys, role => Assert.Contains($"variables('builtInRoles').{role}", used));
    }

    [Theory]
    [InlineData("hostStorageAssignments", "hostStorageRoles", "hostStorageName",
        new[] { "storageBlobDataOwner", "storageQueueDataContributor", "storageTableDataContributor" })]
    [InlineData("recoveryStorageAssignments", "recoveryStorageRoles", "recoveryStorageName",
        new[] { "storageBlobDataContributor", "storageQueueDataContributor", "storageTableDataContributor" })]
    public void Storage_accounts_get_only_the_data_roles_their_use_needs(string assignment, string variable, string account, string[] roles)
    {
        var resource = RoleModule["resources"]![assignment]!;
        var assigned = RoleModule["variables"]![variable]!.AsArray()
            .Select(v => Regex.Match((string)v!, @"builtInRoles'\)\.(\w+)").Groups[1].Value);

        Assert.Equal(roles, assigned);
        Assert.Contains($"variables('{variable}')[copyIndex()]", (string)resource["properties"]!["roleDefinitionId"]!);
        Assert.Equal($"[resourceId('Microsoft.Storage/storageAccounts', parameters('{account}'))]", (string)resource["scope"]!);
    }

    [Theory]
    [InlineData("kekWrapUnwrap", "keyVaultCryptoServiceEncryptionUser", "Microsoft.KeyVault/vaults/keys', parameters('keyVaultName'), parameters('keyName'))]")]
    [InlineData("secretsRead", "keyVaultSecretsUser", "Microsoft.KeyVault/vaults', parameters('keyVaultName'))]")]
    [InlineData("telemetryPublish", "monitoringMetricsPublisher", "Microsoft.Insights/components', parameters('applicationInsightsName'))]")]
    [InlineData("userSecretsOfficer", "keyVaultSecretsOfficer", "Microsoft.KeyVault/vaults', parameters('keyVaultName'))]")]
    public void Key_vault_and_telemetry_roles_are_scoped_to_the_one_resource(string assignment, string role, string scope)
    {
        var resource = RoleModule["resources"]![assignment]!;

        Assert.Equal($"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('builtInRoles').{role})]",
            (string)resource["properties"]!["roleDefinitionId"]!);
        Assert.Equal($"[resourceId('{scope}", (string)resource["scope"]!);
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();
}
