using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Bench;

/// <summary>
/// One benchmark run, back to back in one environment (Azurite, the simulated tenant, the local Durable host): full capture,
/// the same bytes uploaded raw, parallelism 1 against the default, re-capture unchanged and after some apps changed, and
/// restores of an object, an app and a space, each next to Qlik's export+import. Every step counts its requests.
/// </summary>
public sealed partial class BenchRunner
{
    const string TaskHub = "QlikBackupLocal";
    static readonly TimeSpan OrchestrationTimeout = TimeSpan.FromMinutes(30);

    readonly BenchOptions options;
    readonly Action<string> status;
    readonly List<PhaseResult> phases = [];
    readonly List<BenchCheck> checks = [];
    LocalEnvironment env = null!;
    RequestCounter counter = null!;
    IServiceProvider services = null!;
    string tenantId = "";
    int reloadRound;

    /// <param name="status">Told what the run is doing, several times a second while it waits (progress display).</param>
    public BenchRunner(BenchOptions options, Action<string>? status = null)
    {
        this.options = options;
        this.status = status ?? (_ => { });
    }

    public async Task<BenchReport> RunAsync(CancellationToken ct)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        status($"Seeding {options.Apps} apps in {options.Spaces} spaces; starting Azurite and the local Durable host...");
        env = await LocalEnvironment.StartAsync(options.Spec, keepData: false, logs: null, ct);
        await using (env)
        {
            using (counter = new RequestCounter(env.Azurite.ConnectionString, env.Tenant.BaseUrl, TaskHub))
            {
                services = env.Host.Services;
                tenantId = services.GetRequiredService<ITenantContext>().TenantId;
                int apps = env.Tenant.Tenant.Read(s => s.Apps.Count);

                PrepareSizes();
                PhaseResult full = await CaptureTierAsync(Phases.FullCapture, options.DefaultParallelism, ct);
                full = phases[^1] = full with { PartsStored = await PartsOfNewestPointsAsync(ct) };
                await RawUploadAsync(full, ct);
                await ParallelismAsync(ct);
                PhaseResult unchanged = await CaptureTierAsync(Phases.Unchanged, options.DefaultParallelism, ct);
                checks.Add(new BenchCheck("unchanged re-capture stores 0 new bytes", unchanged.NewBytes == 0 && unchanged.Captured == 0,
                    $"{unchanged.NewBytes:N0} new bytes, {unchanged.Captured} new points"));
                int changed = ChangeSomeApps();
                PhaseResult after = await CaptureTierAsync(Phases.Changed, options.DefaultParallelism, ct, $"{changed} apps changed");
                checks.Add(new BenchCheck("re-capture after changes makes a point per changed app", after.Captured == changed && after.NewBytes > 0,
                    $"{after.Captured} new points for {changed} changed apps, {after.NewBytes:N0} new bytes"));
                await RestoresAsync(ct);
                if (options.HugeAppMiB > 0) await HugeAppAsync(ct);

                checks.Add(new BenchCheck("no capture or restore failed", phases.All(p => p.Failed == 0), string.Join(", ", phases.Where(p => p.Failed > 0).Select(p => $"{p.Name}: {p.Failed}"))));
                return new BenchReport(options, Environment.ProcessorCount, Environment.MachineName, started, apps, full.Assets, phases, Ratios(apps), checks);
            }
        }
    }

    async Task<PhaseResult> CaptureTierAsync(string name, int parallelism, CancellationToken ct, string? note = null)
    {
        var input = new CaptureTierInput(Tier.T3, CaptureTrigger.OnDemand, parallelism);
        (CaptureRunResult run, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(name, () =>
            RunOrchestrationAsync<CaptureRunResult>(nameof(CaptureTierOrchestrator), input, name, ct));
        return Add(FromSummary(name, seconds, run.Summary, run.Spaces.Sum(s => s.Assets), requests, note ?? run.Error, use));
    }

    /// <summary>
    /// Parts named by the manifests of every asset's newest point: after the full capture, the parts it stored (a pack holds
    /// many, so "per stored blob" no longer means "per part"). Counted after the step, outside its request count.
    /// </summary>
    async Task<long> PartsOfNewestPointsAsync(CancellationToken ct)
    {
        var index = services.GetRequiredService<IRecoveryPointIndex>();
        var store = services.GetRequiredService<IContentStore>();
        long parts = 0;
        foreach (CapturedAsset asset in (await services.GetRequiredService<CapturedAssetCatalog>().ListTenantAsync(tenantId, ct)).DistinctBy(a => (a.Kind, a.AssetId)))
        {
            foreach (RecoveryPoint point in await index.GetNewestAsync(tenantId, asset.Kind, asset.AssetId, 1, ct))
            {
                if (point.ManifestRef is { } manifest) parts += (await store.ReadManifestAsync(tenantId, manifest, ct)).Parts.Count + 1; // + the manifest
            }
        }

        return parts;
    }

    /// <summary>The floor: the bytes the full capture stored, as many blobs as it made points, straight into the same Azurite.</summary>
    async Task RawUploadAsync(PhaseResult full, CancellationToken ct)
    {
        var container = new BlobContainerClient(env.Azurite.ConnectionString, "bench-raw");
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        int blobs = Math.Max(1, full.Captured);
        byte[] data = RandomNumberGenerator.GetBytes((int)Math.Max(1, full.NewBytes / blobs));
        (_, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(Phases.RawUpload, async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, blobs), new ParallelOptions { MaxDegreeOfParallelism = options.DefaultParallelism, CancellationToken = ct },
                async (i, c) => await container.GetBlobClient($"raw/{i}").UploadAsync(new BinaryData(data), overwrite: true, c));
            return 0;
        });
        Add(new PhaseResult(Phases.RawUpload, seconds, blobs, blobs, 0, 0, (long)data.Length * blobs, (long)data.Length * blobs, requests.ByKey, Use: use));
    }

    /// <summary>The same apps of the first space changed twice; the space captured at parallelism 1, then at the default.</summary>
    async Task ParallelismAsync(CancellationToken ct)
    {
        (string spaceId, _) = SharedSpaces()[0];
        IReadOnlyList<string> sample = TenantChanges.AppsOf(env.Tenant.Tenant, spaceId).Take(options.ParallelismSample).ToList();
        SpaceCaptureTarget target = (await services.GetRequiredService<ICaptureService>().ListSpacesAsync(Tier.T3, ct)).Single(s => s.SpaceId == spaceId);
        foreach ((string name, int parallelism) in new[] { (Phases.ParallelismOne, 1), (Phases.ParallelismDefault, options.DefaultParallelism) })
        {
            reloadRound++;
            foreach (string app in sample) TenantChanges.Reload(env.Tenant.Tenant, app, reloadRound);
            var input = new CaptureSpaceInput(target, CaptureTrigger.OnDemand, parallelism);
            (SpaceCaptureResult space, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(name, () =>
                RunOrchestrationAsync<SpaceCaptureResult>(nameof(CaptureSpaceOrchestrator), input, name, ct));
            Add(FromSummary(name, seconds, space.Summary, space.Assets, requests, $"{sample.Count} of {space.Assets} assets changed", use));
        }
    }

    /// <summary>Every n-th app of the tenant (by name) gets new data: <see cref="BenchOptions.ChangedPercent"/> of them, at least one.</summary>
    int ChangeSomeApps()
    {
        reloadRound++;
        List<string> all = TenantChanges.SharedSpaces(env.Tenant.Tenant).SelectMany(s => TenantChanges.AppsOf(env.Tenant.Tenant, s.Id))
            .Where(a => a != largeAppId).ToList();
        int count = Math.Max(1, (int)Math.Round(all.Count * options.ChangedPercent / 100));
        int step = Math.Max(1, all.Count / count);
        List<string> changed = all.Where((_, i) => i % step == 0).Take(count).ToList();
        foreach (string app in changed) TenantChanges.Reload(env.Tenant.Tenant, app, reloadRound);
        return changed.Count;
    }

    async Task<(T Result, double Seconds, RequestCounts Requests, ResourceUse Use)> MeasureAsync<T>(string name, Func<Task<T>> step)
    {
        status(name + "...");
        await using ResourceMeter meter = ResourceMeter.Start(env.Azurite.ProcessId);
        RequestCounts before = counter.Snapshot();
        long start = Stopwatch.GetTimestamp();
        T result = await step();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        RequestCounts requests = counter.Snapshot() - before;
        return (result, seconds, requests, await meter.StopAsync());
    }

    /// <summary>Starts an orchestration and polls it, telling <see cref="status"/> the elapsed time and the requests so far.</summary>
    async Task<T> RunOrchestrationAsync<T>(string orchestrator, object input, string title, CancellationToken ct)
    {
        DurableTaskClient client = env.Host.Client;
        string id = await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(OrchestrationTimeout);
        RequestCounts before = counter.Snapshot();
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            OrchestrationMetadata? meta = await client.GetInstanceAsync(id, getInputsAndOutputs: true, timeout.Token);
            if (meta is { IsCompleted: true })
            {
                if (meta.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    throw new InvalidOperationException($"{orchestrator} {id} ended {meta.RuntimeStatus}: {Failures.Describe(meta)}");
                }

                return meta.ReadOutputAs<T>()!;
            }

            RequestCounts so = counter.Snapshot() - before;
            status($"{title}: {Stopwatch.GetElapsedTime(start).TotalSeconds:0} s, {so.BackupStorage:N0} storage requests, {so.QlikRest:N0} Qlik calls, {so.EngineSessions:N0} Engine sessions");
            await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
        }
    }

    PhaseResult Add(PhaseResult phase)
    {
        phases.Add(phase);
        return phase;
    }

    static PhaseResult FromSummary(string name, double seconds, CaptureSummary s, int assets, RequestCounts requests, string? note, ResourceUse use) =>
        new(name, seconds, assets, s.Captured, s.Unchanged, s.Failed, s.Bytes, s.NewBytes, requests.ByKey, note, use);

    Dictionary<string, double> Ratios(int apps)
    {
        PhaseResult full = Phase(Phases.FullCapture);
        double Per(double a, double b) => b == 0 ? 0 : Math.Round(a / b, 3);
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["full capture ms per app"] = Per(full.Seconds * 1000, apps),
            ["pipeline ÷ raw upload"] = Per(full.Seconds, Phase(Phases.RawUpload).Seconds),
            ["parallelism 1 ÷ default"] = Per(Phase(Phases.ParallelismOne).Seconds, Phase(Phases.ParallelismDefault).Seconds),
            ["unchanged re-capture ÷ full"] = Per(Phase(Phases.Unchanged).Seconds, full.Seconds),
            ["changed re-capture ÷ full"] = Per(Phase(Phases.Changed).Seconds, full.Seconds),
            ["storage requests per stored blob (full)"] = Per(full.Request("blob:backup") + full.Request("table:backup"), full.Request("blob:created")),
            ["storage requests per stored part (full)"] = Per(full.Request("blob:backup") + full.Request("table:backup"), full.PartsStored),
            ["blob requests per stored part (full)"] = Per(full.Request("blob:backup"), full.PartsStored),
            ["storage requests per asset (full)"] = Per(full.Request("blob:backup") + full.Request("table:backup"), full.Assets),
            ["storage requests per asset (unchanged)"] = Per(Phase(Phases.Unchanged).Request("blob:backup") + Phase(Phases.Unchanged).Request("table:backup"), Phase(Phases.Unchanged).Assets),
            ["Durable storage requests per asset (full)"] = Per(full.Request("blob:durable") + full.Request("table:durable") + full.Request("queue:durable"), full.Assets),
            ["Qlik REST calls per asset (full)"] = Per(full.Requests.Where(kv => kv.Key.StartsWith("qlik:", StringComparison.Ordinal) && kv.Key != "qlik:engine-session").Sum(kv => kv.Value), full.Assets),
            ["Engine sessions per app (full)"] = Per(full.Request("qlik:engine-session"), apps),
            ["GET /reload-tasks per run (full)"] = full.Request("qlik:reload-tasks"),
            ["GET /data-alerts per run (full)"] = full.Request("qlik:data-alerts"),
            ["GET /sharing-tasks per run (full)"] = full.Request("qlik:sharing-tasks"),
            ["audit calls per asset (full)"] = Per(full.Request("qlik:audits"), full.Assets),
            ["audit calls per asset (changed)"] = Per(Phase(Phases.Changed).Request("qlik:audits"), Math.Max(1, Phase(Phases.Changed).Captured)),
            ["restore object ÷ export+import"] = Per(Phase(Phases.RestoreObject).Seconds, Phase(Phases.RestoreObjectFloor).Seconds),
            ["restore app ÷ export+import"] = Per(Phase(Phases.RestoreApp).Seconds, Phase(Phases.RestoreAppFloor).Seconds),
            ["restore space ÷ export+import"] = Per(Phase(Phases.RestoreSpace).Seconds, Phase(Phases.RestoreSpaceFloor).Seconds),
            ["restore largest space ÷ export+import"] = Per(Phase(Phases.RestoreLargestSpace).Seconds, Phase(Phases.RestoreLargestSpaceFloor).Seconds),
            // Where the full capture's CPU went: this process (pipeline, Durable host, simulated tenant) against Azurite's.
            ["full capture CPU s, this process ÷ Azurite"] = Per(full.Use?.CpuSeconds ?? 0, full.Use?.AzuriteCpuSeconds ?? 0),
        };
        if (options.HugeAppMiB > 0 && phases.Any(p => p.Name == Phases.ImportHugeAppFloor))
        {
            const double MiB = 1024 * 1024;
            ResourceUse capture = Phase(Phases.CaptureHugeApp).Use!, export = Phase(Phases.ExportHugeAppFloor).Use!;
            ResourceUse restore = Phase(Phases.RestoreHugeApp).Use!, import = Phase(Phases.ImportHugeAppFloor).Use!;
            // The simulated tenant shares this process: what its export (or import) alone costs is taken off.
            ratios["huge app capture: peak working set rise above the export's, MiB"] = Math.Round((capture.PeakWorkingSetRise - export.PeakWorkingSetRise) / MiB, 1);
            ratios["huge app capture: allocated above the export's ÷ app size"] = Per(capture.AllocatedBytes - export.AllocatedBytes, options.HugeAppMiB * MiB);
            ratios["huge app restore: peak working set rise above the import's, MiB"] = Math.Round((restore.PeakWorkingSetRise - import.PeakWorkingSetRise) / MiB, 1);
            ratios["huge app restore: allocated above the import's ÷ app size"] = Per(restore.AllocatedBytes - import.AllocatedBytes, options.HugeAppMiB * MiB);
            ratios["huge app restore ÷ export+import"] = Per(Phase(Phases.RestoreHugeApp).Seconds, Phase(Phases.RestoreHugeAppFloor).Seconds);
        }

        return ratios;
    }

    PhaseResult Phase(string name) => phases.Single(p => p.Name == name);
}
