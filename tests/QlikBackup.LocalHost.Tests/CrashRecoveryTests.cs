using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit.Abstractions;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// A host that dies mid-capture or mid-restore: its storage connections are cut (to the task hub a dead host is one that stops talking
/// to storage, exactly as after kill -9), and a new host on the same task hub finishes the run. The time from the new
/// host's start to the run's completion is the crash-recovery time; it is written to the test output.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_tier_run_interrupted_by_a_dead_host_is_finished_by_the_next_host()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using QlikSimulatorHost tenant = await SmallTenantAsync();
        await using var proxy = StorageProxy.Start(azurite.ConnectionString);
        Dictionary<string, string?> settings = Settings(proxy, tenant, "CrashRecovery");

        // Slow Qlik: the run is still capturing when the first host dies.
        tenant.Faults.Latency = TimeSpan.FromSeconds(1);
        LocalBackupHost first = await LocalBackupHost.StartAsync(settings);
        string id = await first.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T3));
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await WaitForSpaceRunsAsync(first.Client, id, guard.Token);

        proxy.Cut();
        tenant.Faults.Latency = TimeSpan.Zero;
        var recovery = Stopwatch.StartNew();
        settings["Storage:ConnectionString"] = azurite.ConnectionString;
        await using LocalBackupHost second = await LocalBackupHost.StartAsync(settings);
        OrchestrationMetadata done = await second.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, guard.Token);
        recovery.Stop();

        output.WriteLine($"Crash recovery: the interrupted T3 run completed {recovery.Elapsed.TotalSeconds:F1} s after the new host started.");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "crash-recovery-seconds.txt"), recovery.Elapsed.TotalSeconds.ToString("F1"));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        CaptureRunResult run = done.ReadOutputAs<CaptureRunResult>()!;
        Assert.Null(run.Error);
        Assert.Equal(0, run.Summary.Failed);
        Assert.True(run.Summary.Captured > 0);
        // The dead host is not disposed: it cannot reach storage and would only wait for it.
        _ = first;
    }

    [Fact]
    public async Task A_restore_interrupted_by_a_dead_host_is_finished_by_the_next_host_without_duplicates()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using QlikSimulatorHost tenant = await SmallTenantAsync();
        await using var proxy = StorageProxy.Start(azurite.ConnectionString);
        Dictionary<string, string?> settings = Settings(proxy, tenant, "RestoreCrash");
        LocalBackupHost first = await LocalBackupHost.StartAsync(settings);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        string backup = await first.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T3));
        await first.Client.WaitForInstanceCompletionAsync(backup, guard.Token);

        // The app with the most objects, deleted for good (past Qlik's soft-delete window): the restore imports its QVF
        // and recreates every owner's objects, one slow Qlik call after another.
        var (appId, appName, spaceId, before) = tenant.Tenant.Read(s =>
        {
            // Of the apps whose name is theirs alone (a published copy shares its source's name).
            var app = s.Apps.Where(a => a.SpaceId is not null && s.Apps.Count(b => b.Name == a.Name) == 1).OrderByDescending(a => a.Document.Objects.Count).ThenBy(a => a.Id, StringComparer.Ordinal).First();
            return (app.Id, app.Name, app.SpaceId!, ObjectsOf(app));
        });
        RecoveryPoint point = (await first.Services.GetRequiredService<IRecoveryPointIndex>().GetNewestAsync("demo-tenant", AssetKind.App, appId, 1, guard.Token)).Single();
        await first.Services.GetRequiredService<IQlikRestClient>().DeleteAppAsync(appId, guard.Token);
        tenant.Tenant.ExpireSoftDeleteWindow(appId);

        using var api = new HttpClient { BaseAddress = first.ApiBaseUrl };
        using HttpResponseMessage started = await api.PostAsJsonAsync("api/restores", new { scope = "App", pointId = point.PointId }, guard.Token);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        string restoreId = (await started.Content.ReadFromJsonAsync<JsonElement>(guard.Token)).GetProperty("id").GetString()!;
        tenant.Faults.Latency = TimeSpan.FromSeconds(1);

        // The host dies once the app is imported, while its objects are still being recreated.
        while (tenant.Tenant.Read(s => s.Apps.Count(a => a.Name == appName)) == 0)
        {
            await Task.Delay(100, guard.Token);
        }

        proxy.Cut();
        tenant.Faults.Latency = TimeSpan.Zero;
        settings["Storage:ConnectionString"] = azurite.ConnectionString;
        await using LocalBackupHost second = await LocalBackupHost.StartAsync(settings);
        OrchestrationMetadata done = await second.Client.WaitForInstanceCompletionAsync(restoreId, getInputsAndOutputs: true, guard.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        RestoreResult result = (await second.Services.GetRequiredService<IRestoreService>().GetResultAsync(restoreId, guard.Token))!;
        Assert.True(done.ReadOutputAs<RestoreSummary>()!.Succeeded);
        Assert.True(result.Succeeded, result.Error);
        // Exactly one app came back (the import was not repeated), in its space, with every object as it was.
        var restored = tenant.Tenant.Read(s => s.Apps.Where(a => a.Name == appName).Select(a => (a.SpaceId, Objects: ObjectsOf(a))).ToList());
        var (restoredSpace, objects) = Assert.Single(restored);
        Assert.Equal(spaceId, restoredSpace);
        Assert.True(before.SequenceEqual(objects), $"Differs: {string.Join("\n", before.Except(objects).Select(o => "- " + o).Concat(objects.Except(before).Select(o => "+ " + o)))}");
        _ = first;
    }

    /// <summary>An app's objects as "qId owner published properties" (canonical JSON: Engine property order is not content), sorted.</summary>
    static List<string> ObjectsOf(QlikBackup.Qlik.Simulator.Model.SimApp app) =>
        [.. app.Document.Objects.Values
            .Select(o => $"{o.Id} {o.OwnerId} {o.Published} {System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonSerializer.SerializeToElement(o.Properties)))}")
            .Order(StringComparer.Ordinal)];

    /// <summary>The demo tenant with one app per space: captured in seconds, yet every kind of asset and owner.</summary>
    internal static Task<QlikSimulatorHost> SmallTenantAsync() => QlikSimulatorHost.StartAsync(new SimulatorOptions
    {
        Seed = DemoTenantSpec.Demo with { AppsPerSpace = 1, PersonalApps = 0 }, SaveOnStop = false,
    });

    /// <summary>A host's settings that reach storage through <paramref name="proxy"/>, on a task hub of the test's own.</summary>
    internal static Dictionary<string, string?> Settings(StorageProxy proxy, QlikSimulatorHost tenant, string hub)
    {
        Dictionary<string, string?> settings = LocalSettings.For(proxy.ConnectionString, tenant);
        settings["DurableTaskHubName"] = hub;
        return settings;
    }

    /// <summary>Until the tier run has fanned out to its spaces: the capture is under way.</summary>
    internal static async Task WaitForSpaceRunsAsync(DurableTaskClient client, string id, CancellationToken ct)
    {
        while (true)
        {
            await foreach (OrchestrationMetadata sub in client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = id + ":" }).WithCancellation(ct))
            {
                if (sub.RuntimeStatus == OrchestrationRuntimeStatus.Running) return;
            }

            await Task.Delay(200, ct);
        }
    }
}
