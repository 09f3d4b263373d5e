using System.Text.Json;
using QlikBackup.Cli;

namespace QlikBackup.LocalHost.Tests;

/// <summary>The CLI against the real local host: the verbs an operator uses in an incident, one after another.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class CliEndToEndTests(LocalEnvironmentFixture fixture)
{
    async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new CliSettings
        {
            GetEnvironmentVariable = name => name == "QLIKBACKUP_URL" ? fixture.Env.Host.ApiBaseUrl.ToString() : null,
            Width = 200,
            PollInterval = TimeSpan.FromMilliseconds(250),
        };
        int exit = await QlikBackup.Cli.Cli.RunAsync(args, output, error, settings);
        return (exit, output.ToString(), error.ToString());
    }

    async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync([.. args, "--json"]);
        Assert.True(exit == 0, $"{string.Join(' ', args)} exited {exit}\n{stdout}\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public async Task Backup_points_history_compare_restore_promote_verify_drill_and_status_from_the_CLI()
    {
        JsonElement backup = await JsonAsync("backup", "--tier", "T3", "--wait");
        Assert.Equal("Completed", backup.GetProperty("status").GetString());

        JsonElement points = await JsonAsync("points", "--kind", "App");
        // An app that still exists (other tests delete apps): compare --live and promote need it.
        var qlik = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<QlikBackup.Qlik.Contracts.IQlikRestClient>(fixture.Env.Host.Services);
        JsonElement point = default;
        foreach (JsonElement p in points.EnumerateArray().Where(p => p.GetProperty("status").GetString() == "Captured" && p.GetProperty("spaceId").ValueKind == JsonValueKind.String))
        {
            if (await qlik.GetAppAsync(p.GetProperty("assetId").GetString()!) is not null)
            {
                point = p;
                break;
            }
        }

        Assert.Equal(JsonValueKind.Object, point.ValueKind);
        string pointId = point.GetProperty("pointId").GetString()!;
        string appId = point.GetProperty("assetId").GetString()!;
        var (tableExit, table, _) = await RunAsync("points", "--kind", "App");
        Assert.Equal(0, tableExit);
        Assert.Contains(pointId, table);

        JsonElement allPaged = await JsonAsync("points", "--all", "--take", "2");
        JsonElement oneCall = await JsonAsync("points", "--take", "1000");
        Assert.Equal(
            oneCall.EnumerateArray().Select(p => p.GetProperty("pointId").GetString()).Order(),
            allPaged.EnumerateArray().Select(p => p.GetProperty("pointId").GetString()).Order());

        JsonElement history = await JsonAsync("history", "App", appId);
        Assert.Contains(history.EnumerateArray(), p => p.GetProperty("pointId").GetString() == pointId);

        JsonElement diff = await JsonAsync("compare", pointId, "--live");
        Assert.Equal(pointId, diff.GetProperty("left").GetString());

        JsonElement plan = await JsonAsync("restore", "--point", pointId, "--dry-run");
        Assert.True(plan.GetProperty("actions").GetArrayLength() > 0);

        JsonElement restore = await JsonAsync("restore", "--point", pointId, "--validation-space", "cli-e2e-validation", "--create-space", "--wait");
        Assert.Equal("Completed", restore.GetProperty("status").GetString());
        string validationApp = restore.GetProperty("output").GetProperty("result").GetProperty("restoredAssetId").GetString()!;

        JsonElement promoted = await JsonAsync("promote", validationApp, "--production", appId);
        Assert.Equal(appId, promoted.GetProperty("productionAppId").GetString());

        // Proof of recovery: the point's blobs read back and authenticate, and a drill restores into isolation and checks equal.
        JsonElement verified = await JsonAsync("verify", "--point", pointId, "--wait");
        Assert.Equal("Completed", verified.GetProperty("status").GetString());
        Assert.Equal(0, verified.GetProperty("output").GetProperty("problemCount").GetInt32());

        JsonElement drill = await JsonAsync("drill", "start", "--scope", "Sample", "--tier", "T3", "--sample-size", "1", "--seed", "7", "--wait");
        Assert.Equal("Completed", drill.GetProperty("status").GetString());
        string drillId = drill.GetProperty("id").GetString()!;
        var (showExit, shown, showErr) = await RunAsync("drill", "show", drillId);
        Assert.True(showExit == ExitCodes.Ok, $"drill show exited {showExit}\n{shown}\n{showErr}");
        Assert.Contains("1 of 1 assets", shown);
        JsonElement drills = await JsonAsync("drill", "list");
        Assert.Contains(drills.EnumerateArray(), d => d.GetProperty("drillId").GetString() == drillId);
        // Only a Tenant drill's clean-up can be run again: the server's 400 reaches the operator, exit 2.
        var (cleanUpExit, cleanUpOut, cleanUpErr) = await RunAsync("drill", "clean-up", drillId);
        Assert.True(cleanUpExit == ExitCodes.Api, $"drill clean-up exited {cleanUpExit}\n{cleanUpOut}\n{cleanUpErr}");
        Assert.Contains("Tenant", cleanUpErr);

        // status exits 3 exactly when the answer says a tier is past its objective.
        var (statusExit, statusJson, _) = await RunAsync("status", "--json");
        bool breached = JsonDocument.Parse(statusJson).RootElement.GetProperty("rpoBreached").GetBoolean();
        Assert.Equal(breached ? ExitCodes.RpoBreached : ExitCodes.Ok, statusExit);
    }

    /// <summary>The CLI verb of each route (Qlik's webhook delivery is not an operator's). A new route needs its verb here.</summary>
    static readonly Dictionary<string, string> Verbs = new()
    {
        ["StartBackup"] = "backup", ["GetOperation"] = "operation", ["StartRestore"] = "restore",
        ["SearchRecoveryPoints"] = "points", ["GetRecoveryPoint"] = "point", ["GetAssetHistory"] = "history",
        ["Compare"] = "compare", ["Promote"] = "promote", ["GetStatus"] = "status",
        ["ListSpaceTiers"] = "tier list", ["SetSpaceTier"] = "tier set", ["GetOpenApiDocument"] = "openapi",
        ["GetRestore"] = "plan", ["ExecuteRestorePlan"] = "execute", ["StartVerify"] = "verify",
        ["StartDrill"] = "drill start", ["ListDrills"] = "drill list", ["GetDrill"] = "drill show", ["StartDrillCleanUp"] = "drill clean-up",
        // The HTML report is for a browser; the CLI shows the same report as text (drill show).
        ["GetDrillReportHtml"] = "drill show",
        ["GetSpaceStatus"] = "status spaces",
        // The console is a page for a browser; the CLI prints its URL.
        ["GetConsole"] = "console",
    };

    [Fact]
    public void Every_route_but_the_webhook_has_a_CLI_verb()
    {
        var root = QlikBackup.Cli.Cli.BuildRoot(new QlikBackup.Cli.Commands.CommandHost(TextWriter.Null, TextWriter.Null, new CliSettings()));
        foreach (var route in QlikBackup.Functions.Api.ApiRoutes.All.Where(r => !r.Anonymous))
        {
            Assert.True(Verbs.TryGetValue(route.OperationId, out string? verb), $"{route.OperationId} has no CLI verb.");
            System.CommandLine.Command command = root;
            foreach (string word in verb.Split(' '))
            {
                command = command.Subcommands.SingleOrDefault(c => c.Name == word)
                    ?? throw new Xunit.Sdk.XunitException($"The CLI has no '{verb}' for {route.OperationId}.");
            }
        }
    }

    [Fact]
    public async Task A_bad_argument_the_API_refuses_exits_2_with_the_field_to_fix()
    {
        var (exit, _, err) = await RunAsync("history", "Spreadsheet", "a1");

        Assert.Equal(ExitCodes.Api, exit);
        Assert.Contains("Spreadsheet", err);
        Assert.Contains("App", err);
    }
}
