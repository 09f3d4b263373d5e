using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Bench;

/// <summary>
/// Memory at the size of Qlik's largest apps: one app grown to <see cref="BenchOptions.HugeAppMiB"/>, captured, then deleted
/// and restored, each next to the export (+ import) alone. The simulated tenant runs in this process and holds every QVF
/// it exports in memory, so the floor steps measure its share and the ratios subtract it.
/// </summary>
public sealed partial class BenchRunner
{
    async Task HugeAppAsync(CancellationToken ct)
    {
        var spaces = SharedSpaces();
        (string spaceId, _) = spaces[Math.Min(1, spaces.Count - 1)];
        IReadOnlyList<string> apps = TenantChanges.AppsOf(env.Tenant.Tenant, spaceId);
        string hugeApp = apps.First(a => a != largeAppId && a != apps[0]);
        long size = (long)options.HugeAppMiB * 1024 * 1024;
        TenantChanges.SetData(env.Tenant.Tenant, hugeApp, RandomNumberGenerator.GetBytes(checked((int)size)));

        SpaceCaptureTarget target = (await services.GetRequiredService<ICaptureService>().ListSpacesAsync(Tier.T3, ct)).Single(s => s.SpaceId == spaceId);
        var input = new CaptureSpaceInput(target, CaptureTrigger.OnDemand, options.DefaultParallelism);
        (SpaceCaptureResult space, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(Phases.CaptureHugeApp, () =>
            RunOrchestrationAsync<SpaceCaptureResult>(nameof(CaptureSpaceOrchestrator), input, Phases.CaptureHugeApp, ct));
        Add(FromSummary(Phases.CaptureHugeApp, seconds, space.Summary, space.Assets, requests, $"one app of {options.HugeAppMiB:N0} MiB changed", use));
        RecoveryPoint hugePoint = await NewestAppPointAsync(hugeApp, ct);
        checks.Add(new BenchCheck("the huge app is captured", space.Summary.Failed == 0 && hugePoint.Size >= size,
            $"its newest point holds {hugePoint.Size:N0} bytes; {space.Summary.Captured} captured, {space.Summary.Failed} failed in its space"));

        var qlik = services.GetRequiredService<IQlikRestClient>();
        (_, double exportSeconds, RequestCounts exportRequests, ResourceUse exportUse) = await MeasureAsync(Phases.ExportHugeAppFloor, async () =>
        {
            await using Stream qvf = await qlik.ExportAppAsync(hugeApp, ct: ct);
            await qvf.CopyToAsync(Stream.Null, ct);
            return 0;
        });
        Add(new PhaseResult(Phases.ExportHugeAppFloor, exportSeconds, 1, 0, 0, 0, 0, 0, exportRequests.ByKey, "export and download only", exportUse));

        string? restored = await RestoreDeletedAppAsync(Phases.RestoreHugeApp, hugeApp, "huge app restore is byte-identical to its point's QVF", ct);
        if (restored is null) return;
        await ExportImportFloorAsync(Phases.RestoreHugeAppFloor, [restored], spaceId, 1, ct);

        // The restore's memory floor: Qlik's import alone of the same QVF, sent from memory (read before the step).
        byte[] qvf;
        await using (Stream export = await qlik.ExportAppAsync(restored, ct: ct))
        {
            using var copy = new MemoryStream();
            await export.CopyToAsync(copy, ct);
            qvf = copy.ToArray();
        }

        string? imported = null;
        (_, double importSeconds, RequestCounts importRequests, ResourceUse importUse) = await MeasureAsync(Phases.ImportHugeAppFloor, async () =>
        {
            using var body = new MemoryStream(qvf, writable: false);
            imported = (await qlik.ImportAppAsync(body, spaceId, "bench-import-floor", ct)).Id;
            return 0;
        });
        Add(new PhaseResult(Phases.ImportHugeAppFloor, importSeconds, 1, 0, 0, 0, 0, 0, importRequests.ByKey, "import only, QVF sent from memory", importUse));
        if (imported is not null) await qlik.DeleteAppAsync(imported, ct);
    }
}
