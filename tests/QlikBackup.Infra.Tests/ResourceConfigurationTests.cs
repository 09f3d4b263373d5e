using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>What the issue requires of each resource, read from the compiled template.</summary>
[Collection(TemplateCollection.Name)]
public sealed class ResourceConfigurationTests(CompiledTemplate template)
{
    private static string Text(JsonNode? node) => CompiledTemplate.AsText(node);

    private JsonObject StorageAccount(string module) =>
        template.Module(module)["resources"]!.AsObject().Select(r => r.Value!.AsObject())
            .Single(r => (string?)r["type"] == "Microsoft.Storage/storageAccounts" && r["existing"] is null);

    [Theory]
    [InlineData("hostStorage")]
    [InlineData("recoveryStorage")]
    public void Storage_accounts_allow_no_shared_key_no_anonymous_access_and_tls12_only(string module)
    {
        var properties = StorageAccount(module)["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", Text(properties["minimumTlsVersion"]));
    }

    [Fact]
    public void Recovery_points_are_versioned_soft_deleted_and_immutable_for_a_parameterised_period()
    {
        var immutability = StorageAccount("recoveryStorage")["properties"]!["immutableStorageWithVersioning"]!;
        Assert.True((bool)immutability["enabled"]!);
        Assert.Equal("[parameters('immutabilityDays')]", Text(immutability["immutabilityPolicy"]!["immutabilityPeriodSinceCreationInDays"]));
        // The restore audit log appends to a daily append blob; existing blocks stay immutable.
        Assert.True((bool)immutability["immutabilityPolicy"]!["allowProtectedAppendWrites"]!);

        Assert.Equal("[parameters('immutabilityDays')]", template.ModuleArgument("recoveryStorage", "immutabilityDays"));
        Assert.Equal(7, (int)template.Root["parameters"]!["immutabilityDays"]!["defaultValue"]!);

        var blobService = template.ModuleResources("recoveryStorage")["storage::blobService"]["properties"]!;
        Assert.True((bool)blobService["isVersioningEnabled"]!);
        Assert.True((bool)blobService["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((bool)blobService["containerDeleteRetentionPolicy"]!["enabled"]!);
    }

    [Fact]
    public void Recovery_store_has_the_containers_and_tables_the_app_uses()
    {
        var variables = template.Root["variables"]!;
        Assert.Equal(["recovery-points", "restore-audit", "drill-reports"],
            variables["recoveryContainers"]!.AsArray().Select(Text));
        Assert.Equal(["RecoveryPoints", "RecoveryPointsBySpace", "RestoreAudit", "RestoreProgress", "SpaceTiers", "CaptureRuns", "DrillReports"],
            variables["recoveryTables"]!.AsArray().Select(Text));

        Assert.Equal("[variables('recoveryContainers')]", template.ModuleArgument("recoveryStorage", "containerNames"));
        Assert.Equal("[variables('recoveryTables')]", template.ModuleArgument("recoveryStorage", "tableNames"));

        var resources = template.ModuleResources("recoveryStorage");
        var containers = resources["storage::blobService::containers"];
        Assert.Equal("[length(parameters('containerNames'))]", Text(containers["copy"]!["count"]));
        Assert.Equal("[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('containerNames')[copyIndex()])]", Text(containers["name"]));
        Assert.Equal("None", Text(containers["properties"]!["publicAccess"]));
        var tables = resources["storage::tableService::tables"];
        Assert.Equal("[length(parameters('tableNames'))]", Text(tables["copy"]!["count"]));
        Assert.Equal("[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('tableNames')[copyIndex()])]", Text(tables["name"]));
    }

    [Theory]
    [InlineData("Storage__RecoveryPointsContainer", "recoveryPointsContainer", "recovery-points")]
    [InlineData("Restore__AuditContainer", "auditContainer", "restore-audit")]
    [InlineData("Restore__AuditTable", "auditTable", "RestoreAudit")]
    [InlineData("Restore__ProgressTable", "progressTable", "RestoreProgress")]
    [InlineData("Drill__ReportsContainer", "drillReportsContainer", "drill-reports")]
    [InlineData("Drill__ReportsTable", "drillReportsTable", "DrillReports")]
    public void The_app_is_told_the_containers_and_tables_that_are_created(string setting, string layoutKey, string name)
    {
        Assert.Equal($"[parameters('recoveryLayout').{layoutKey}]", template.AppSettings[setting]);
        Assert.Equal("[variables('recoveryLayout')]", template.ModuleArgument("functionApp", "recoveryLayout"));

        // recoveryLayout picks its names out of the lists the storage module creates.
        var variables = template.Root["variables"]!;
        var reference = System.Text.RegularExpressions.Regex.Match(
            Text(variables["recoveryLayout"]![layoutKey]), @"^\[variables\('(?<list>\w+)'\)\[(?<index>\d+)\]\]$");
        Assert.True(reference.Success, $"recoveryLayout.{layoutKey} should index recoveryContainers or recoveryTables");
        Assert.Equal(name, Text(variables[reference.Groups["list"].Value]![int.Parse(reference.Groups["index"].Value)]));
    }

    [Fact]
    public void Key_vault_uses_rbac_with_purge_protection_and_an_rsa_kek_that_rotates()
    {
        var vault = template.Single("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enablePurgeProtection"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);

        var key = template.Single("Microsoft.KeyVault/vaults/keys")["properties"]!;
        Assert.Equal("RSA", Text(key["kty"]));
        Assert.Equal(["wrapKey", "unwrapKey"], key["keyOps"]!.AsArray().Select(Text));
        var actions = key["rotationPolicy"]!["lifetimeActions"]!.AsArray().Select(a => Text(a!["action"]!["type"]));
        Assert.Contains("rotate", actions);
        Assert.Equal(3072, (int)template.Root["parameters"]!["keyEncryptionKeySize"]!["defaultValue"]!);
    }

    [Fact]
    public void Function_app_runs_on_flex_consumption_with_a_managed_identity()
    {
        var plan = template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Text(plan["sku"]!["name"]));
        Assert.Equal("FlexConsumption", Text(plan["sku"]!["tier"]));

        var site = template.Single("Microsoft.Web/sites");
        Assert.Equal("UserAssigned", Text(site["identity"]!["type"]));
        var config = site["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", Text(config["runtime"]!["name"]));
        var storage = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", Text(storage["type"]));
        Assert.Equal("UserAssignedIdentity", Text(storage["authentication"]!["type"]));
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
    }

    [Fact]
    public void Runtime_version_matches_the_functions_project_target_framework()
    {
        var framework = Assembly.Load(new AssemblyName("QlikBackup.Functions")).GetCustomAttribute<TargetFrameworkAttribute>()!;
        var version = new FrameworkName(framework.FrameworkName).Version;

        Assert.Equal($"{version.Major}.{version.Minor}", Text(template.Root["parameters"]!["dotnetVersion"]!["defaultValue"]));
    }

    [Fact]
    public void Host_storage_is_reached_by_identity_never_by_key()
    {
        var settings = template.AppSettings;

        Assert.Equal("[parameters('hostStorageName')]", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("clientId", settings["AzureWebJobsStorage__clientId"]);
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "a connection-string AzureWebJobsStorage would need an account key");
        Assert.False(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"), "Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME");
        Assert.False(settings.ContainsKey("WEBSITE_RUN_FROM_PACKAGE"), "Flex Consumption deploys from functionAppConfig.deployment");

        var json = CompiledTemplate.Text(template.Root);
        Assert.DoesNotContain("listKeys", json);
        Assert.DoesNotContain("AccountKey=", json);
    }

    [Theory]
    [InlineData("Qlik__ApiKey", "qlik-api-key")]
    [InlineData("Qlik__OAuthClientSecret", "qlik-oauth-client-secret")]
    [InlineData("Webhooks__Secret", "qlik-webhook-secret")]
    public void Secrets_are_key_vault_references(string setting, string secretName)
    {
        Assert.Contains($"secretRef(parameters('keyVaultName'), '{secretName}')", template.AppSettings[setting]);

        var secretRef = template.Module("functionApp")["functions"]!.AsArray()
            .Select(ns => ns!["members"]?["secretRef"]).Single(f => f is not null)!;
        Assert.StartsWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName={1})'", Text(secretRef["output"]!["value"]));
    }

    [Fact]
    public void App_settings_point_at_the_recovery_store_key_vault_key_and_telemetry()
    {
        var settings = template.AppSettings;

        Assert.Equal("KeyVault", settings["Crypto__KeyProvider"]);
        Assert.Equal("[parameters('keyVaultKeyUri')]", settings["Crypto__KeyVaultKeyId"]);
        var passed = Text(template.Root["resources"]!["functionApp"]!["properties"]!["parameters"]!["keyVaultKeyUri"]!["value"]);
        Assert.Contains("'keyVault')", passed);
        Assert.EndsWith(".outputs.keyUri.value]", passed);
        // keyUri is versionless (keyUriWithVersion is not): the app always wraps with the current version.
        Assert.Equal("[reference('kek').keyUri]", Text(template.Module("keyVault")["outputs"]!["keyUri"]!["value"]));
        Assert.Equal("[parameters('recoveryBlobEndpoint')]", settings["Storage__BlobServiceUri"]);
        Assert.Equal("[parameters('recoveryTableEndpoint')]", settings["Storage__TableServiceUri"]);
        Assert.Equal("[parameters('recoveryQueueEndpoint')]", settings["Storage__QueueServiceUri"]);
        Assert.Contains("ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void Application_insights_sits_on_log_analytics_without_local_auth()
    {
        var insights = template.Single("Microsoft.Insights/components")["properties"]!;

        Assert.Contains("Microsoft.OperationalInsights/workspaces", Text(insights["WorkspaceResourceId"]));
        Assert.True((bool)insights["DisableLocalAuth"]!);
    }

    [Fact]
    public void Alerts_go_to_the_logic_app_http_trigger_callback_url()
    {
        Assert.Equal("[listCallbackUrl('alertsWorkflow::trigger', '2019-05-01').value]", template.AppSettings["Alerts__LogicAppUrl"]);
        var trigger = template.ModuleResources("functionApp")["alertsWorkflow::trigger"];
        Assert.Equal("Microsoft.Logic/workflows/triggers", Text(trigger["type"]));
        Assert.Equal("[format('{0}/{1}', parameters('alertsLogicAppName'), variables('alertsTriggerName'))]", Text(trigger["name"]));
        Assert.Equal("[variables('names').logicApp]", template.ModuleArgument("functionApp", "alertsLogicAppName"));
        Assert.Equal("[variables('names').logicApp]", template.ModuleArgument("alerts", "name"));

        var workflow = template.Single("Microsoft.Logic/workflows")["properties"]!;
        // The trigger the Function app asks the callback URL of is the workflow's only trigger.
        var requestTrigger = workflow["definition"]!["triggers"]!.AsObject().Single();
        Assert.Equal(Text(template.Module("functionApp")["variables"]!["alertsTriggerName"]), requestTrigger.Key);
        Assert.Equal("Request", Text(requestTrigger.Value!["type"]));
        Assert.Equal("[parameters('alertTargetUrl')]", Text(workflow["parameters"]!["alertTargetUrl"]!["value"]));
        Assert.Equal("[variables('forwardAction')]", Text(workflow["definition"]!["actions"]!["Forward"]));
    }

    [Fact]
    public void The_teams_card_reads_only_fields_the_alert_trigger_declares()
    {
        var variables = template.Module("alerts")["variables"]!;
        var declared = variables["alertSchema"]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        var used = System.Text.RegularExpressions.Regex.Matches(CompiledTemplate.Text(variables["teamsBody"]!), @"triggerBody\(\)\?\['(\w+)'\]")
            .Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Equal(["detail", "kind", "raisedAt", "reference", "severity", "title"], declared.Order());
        Assert.NotEmpty(used);
        Assert.All(used, field => Assert.Contains(field, declared));
    }
}
