using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Capture.Tests;

/// <summary>
/// The fault suite: one capture of a changed and reloaded app (every call kind: listings, app, export, download, Engine,
/// blobs, tables) under each fault. Whatever the fault, the capture either succeeds or fails and is recorded as a Failed
/// point (what the orchestration does after its retries, and then alerts), no point is lost or half-written (every point
/// verifies), and the next capture after the fault succeeds. (A host killed mid-capture: CrashRecoveryTests.)
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class FaultSuiteTests(CaptureEnvironment env)
{
    /// <summary>Each fault, by name; <see cref="Arm"/> sets it up. A "storm" outlasts every retry, a "burst" does not.</summary>
    public static readonly TheoryData<string> Faults = new(
        "qlik 429 storm on items listing",
        "qlik 429 burst on app metadata",
        "qlik 429 storm on app export",
        "qlik 429 storm on temp-content download",
        "qlik 503 storm on items listing",
        "qlik 500 storm on app metadata",
        "qlik 502 burst on app export",
        "qlik 504 storm on temp-content download",
        "qlik 503 storm on spaces",
        "qlik 503 storm on audits",
        "qlik 503 storm on reload tasks",
        "qlik reset mid-QVF download",
        "engine drop at connect",
        "engine drop after 3 messages",
        "engine drop mid object reads",
        "blob write storm on chunks",
        "blob write burst on chunks",
        "blob write storm on content descriptors",
        "blob read storm on content descriptors",
        "blob HEAD storm on chunks",
        "blob write storm on packs",
        "blob write burst on packs",
        "blob read storm on packs",
        "table read storm on the captured-asset catalog",
        "table write storm on the recovery point index",
        "table write storm on the captured-asset catalog",
        "table read storm on the recovery point index");

    const int Storm = 60;
    const int Burst = 2;

    void Arm(string fault, string appId, StorageFaults storage)
    {
        SimulatorFaults qlik = env.Simulator.Faults;
        string app = $"/api/v1/apps/{appId}";
        switch (fault)
        {
            case "qlik 429 storm on items listing": qlik.RateLimitNext(Storm, 0, "/api/v1/items"); break;
            case "qlik 429 burst on app metadata": qlik.RateLimitNext(Burst, 0, app); break;
            case "qlik 429 storm on app export": qlik.RateLimitNext(Storm, 0, app + "/export"); break;
            case "qlik 429 storm on temp-content download": qlik.RateLimitNext(Storm, 0, "/api/v1/temp-contents"); break;
            case "qlik 503 storm on items listing": qlik.FailNext(Storm, 503, "/api/v1/items"); break;
            case "qlik 500 storm on app metadata": qlik.FailNext(Storm, 500, app); break;
            case "qlik 502 burst on app export": qlik.FailNext(Burst, 502, app + "/export"); break;
            case "qlik 504 storm on temp-content download": qlik.FailNext(Storm, 504, "/api/v1/temp-contents"); break;
            case "qlik 503 storm on spaces": qlik.FailNext(Storm, 503, "/api/v1/spaces"); break;
            case "qlik 503 storm on audits": qlik.FailNext(Storm, 503, "/api/v1/audits"); break;
            case "qlik 503 storm on reload tasks": qlik.FailNext(Storm, 503, "/api/v1/reload-tasks"); break;
            case "qlik reset mid-QVF download": qlik.ResetNextDownloadAfter(100); break;
            case "engine drop at connect": qlik.DropNextWebSocketAfter(0); break;
            case "engine drop after 3 messages": qlik.DropNextWebSocketAfter(3); break;
            case "engine drop mid object reads": qlik.DropNextWebSocketAfter(12); break;
            case "blob write storm on chunks": storage.Arm(Storm, StorageFaults.Rule("PUT", "/chunks/")); break;
            case "blob write burst on chunks": storage.Arm(Burst, StorageFaults.Rule("PUT", "/chunks/")); break;
            case "blob write storm on content descriptors": storage.Arm(Storm, StorageFaults.Rule("PUT", "/contents/")); break;
            case "blob read storm on content descriptors": storage.Arm(Storm, StorageFaults.Rule("GET", "/contents/")); break;
            case "blob HEAD storm on chunks": storage.Arm(Storm, StorageFaults.Rule("HEAD", "/chunks/")); break;
            case "blob write storm on packs": storage.Arm(Storm, StorageFaults.Rule("PUT", "/packs/")); break;
            case "blob write burst on packs": storage.Arm(Burst, StorageFaults.Rule("PUT", "/packs/")); break;
            case "blob read storm on packs": storage.Arm(Storm, StorageFaults.Rule("GET", "/packs/")); break;
            case "table read storm on the captured-asset catalog": storage.Arm(Storm, StorageFaults.Rule("GET", "/CapturedAssets")); break;
            case "table write storm on the recovery point index": storage.Arm(Storm, m => m.Request.Method.Method is "PUT" or "MERGE" or "POST" && m.Request.Uri.Path.Contains("/RecoveryPoints", StringComparison.Ordinal)); break;
            case "table write storm on the captured-asset catalog": storage.Arm(Storm, m => m.Request.Method.Method is "PUT" or "MERGE" or "POST" && m.Request.Uri.Path.Contains("/CapturedAssets", StringComparison.Ordinal)); break;
            case "table read storm on the recovery point index": storage.Arm(Storm, StorageFaults.Rule("GET", "/RecoveryPoints")); break;
            default: throw new ArgumentOutOfRangeException(nameof(fault), fault, "Unknown fault.");
        }
    }

    /// <summary>Whether the armed fault actually hit a request (so no case passes by never firing).</summary>
    bool Fired(string fault, StorageFaults storage, int qlikInjected)
    {
        SimulatorFaults qlik = env.Simulator.Faults;
        return fault switch
        {
            _ when fault.StartsWith("qlik reset", StringComparison.Ordinal) => !qlik.TryTakeDownloadReset(out _),
            _ when fault.StartsWith("engine", StringComparison.Ordinal) => !qlik.TryTakeWebSocketDrop(out _),
            _ when fault.StartsWith("qlik", StringComparison.Ordinal) => qlikInjected > 0,
            _ => storage.Injected > 0,
        };
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Under_the_fault_no_point_is_lost_or_half_written_and_a_failure_is_recorded(string fault)
    {
        var storage = new StorageFaults();
        // Chunk and descriptor faults need chunked content: parts above 4 KiB (the QVF among them) are chunked, not packed.
        Dictionary<string, string?>? chunked = fault.Contains("chunks", StringComparison.Ordinal) || fault.Contains("descriptors", StringComparison.Ordinal)
            ? new() { ["Storage:PackedPartMaxBytes"] = "4096" }
            : null;
        await using CaptureEngine engine = env.CreateEngine(chunked, storage.AddTo);
        string appId = env.SharedApp(5);
        var asset = new AssetRef(AssetKind.App, appId);
        AssetCaptureResult before = await engine.CaptureAppAsync(appId);
        Assert.Equal(CaptureOutcome.Captured, before.Outcome);

        // A changed and reloaded app: the capture reads objects over the Engine and exports and downloads a new QVF.
        env.Reload(appId);
        env.RenameSheet(appId, new SimulatedActor(env.Tenant.Read(s => s.FindApp(appId)!.OwnerId)));
        Arm(fault, appId, storage);
        string spaceId = env.Tenant.Read(s => s.FindApp(appId)!.SpaceId!);
        AssetCaptureResult? captured = null;
        Exception? listingFailure = null, failure = null;
        int qlikInjected;
        bool fired;
        try
        {
            // What a space run does for the asset: list the space (a failure here is the space's, recorded in the run log
            // and alerted by the tier orchestration), then capture the asset (fresh, as a webhook or an operator asks).
            try
            {
                await engine.Capture.ListAssetsAsync(new SpaceCaptureTarget(spaceId, null, Tier.T3));
            }
            catch (Exception ex)
            {
                listingFailure = ex;
            }

            if (listingFailure is null)
            {
                try
                {
                    captured = await engine.Capture.CaptureAssetAsync(asset, Tier.T3, CaptureTrigger.OnDemand);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            }
        }
        finally
        {
            qlikInjected = env.Simulator.Faults.InjectedCount;
            fired = Fired(fault, storage, qlikInjected);
            env.Simulator.Faults.Reset();
            storage.Clear();
        }

        Assert.True(fired, $"The fault '{fault}' never hit a request.");
        IReadOnlyList<RecoveryPoint> points = await engine.PointsAsync(AssetKind.App, appId);
        if (listingFailure is not null)
        {
            Assert.Equal([before.PointId], points.Select(p => p.PointId));
        }
        else if (failure is not null)
        {
            // What the orchestration does once its retries are spent: a Failed point, then an alert naming it.
            AssetCaptureResult recorded = await engine.Capture.RecordFailureAsync(asset, Tier.T3, failure.Message);
            Assert.Equal(CaptureOutcome.Failed, recorded.Outcome);
            points = await engine.PointsAsync(AssetKind.App, appId);
            Assert.Equal((RecoveryPointStatus.Failed, failure.Message), (points[0].Status, points[0].Error));
        }
        else
        {
            Assert.Equal(CaptureOutcome.Captured, captured!.Outcome);
        }

        Assert.Contains(points, p => p.PointId == before.PointId && p.Status == RecoveryPointStatus.Captured);
        await AssertWholeAsync(engine, appId);

        // The fault is over: the next capture brings the asset up to date, and every point still verifies.
        AssetCaptureResult after = await engine.CaptureAppAsync(appId);
        Assert.True(after.Outcome is CaptureOutcome.Captured or CaptureOutcome.Unchanged, $"{after.Outcome}: {after.Error}");
        Assert.Equal(RecoveryPointStatus.Captured, (await engine.PointsAsync(AssetKind.App, appId))[0].Status);
        await AssertWholeAsync(engine, appId);
    }

    static async Task AssertWholeAsync(CaptureEngine engine, string appId)
    {
        VerifyReport report = await engine.Verify.VerifyAsync(new VerifyRequest(Kind: AssetKind.App, AssetId: appId));
        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => $"{p.PointId} {p.Part}: {p.Problem} {p.Detail}")));
    }
}
