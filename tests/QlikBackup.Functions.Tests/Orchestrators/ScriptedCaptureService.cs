using System.Collections.Concurrent;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;

namespace QlikBackup.Functions.Tests.Orchestrators;

/// <summary>
/// A capture engine whose tenant is a fixed list of spaces and assets, and which fails chosen assets a chosen
/// number of times. It lets the orchestration tests observe fan-out, retries and failure reporting exactly.
/// </summary>
sealed class ScriptedCaptureService(IReadOnlyDictionary<SpaceCaptureTarget, AssetRef[]> tenant) : ICaptureService
{
    public ConcurrentDictionary<string, int> Attempts { get; } = new();
    public ConcurrentDictionary<string, int> FailuresToInject { get; } = new();
    public ConcurrentBag<string> RecordedFailures { get; } = [];
    public ConcurrentBag<string> SpacesListed { get; } = [];
    /// <summary>Per captured asset, the run it was captured in (sharing the run's listings and audit read); null outside a run.</summary>
    public ConcurrentDictionary<string, string?> RunOf { get; } = new();

    /// <summary>Runs begun (their ids) and ended (id, whether the audit cursor moved), in order.</summary>
    public ConcurrentQueue<string> RunsBegun { get; } = new();
    public ConcurrentQueue<(string RunId, bool AdvanceCursor)> RunsEnded { get; } = new();

    /// <summary>Assets captured per batch activity (one entry per call of the batch activity).</summary>
    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>The audit read of every run fails (Qlik answering 503 throughout).</summary>
    public bool FailAuditRead { get; set; }

    /// <summary>Listing the tier's spaces fails every time (Qlik answering 429 forty times, say).</summary>
    public bool FailSpaceListing { get; set; }

    /// <summary>Spaces whose asset listing, or whose deleted check, fails every time.</summary>
    public ConcurrentDictionary<string, bool> FailAssetListing { get; } = new();
    public ConcurrentDictionary<string, bool> FailDeletedCheck { get; } = new();

    public Task<IReadOnlyList<SpaceCaptureTarget>> ListSpacesAsync(Tier tier, CancellationToken ct = default)
        => FailSpaceListing
            ? throw new InvalidOperationException("Qlik API 429: too many requests")
            : Task.FromResult<IReadOnlyList<SpaceCaptureTarget>>(tenant.Keys.Where(s => s.Tier == tier).ToList());

    public Task<IReadOnlyList<AssetRef>> ListAssetsAsync(SpaceCaptureTarget space, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        if (FailAssetListing.ContainsKey(space.SpaceId)) throw new InvalidOperationException($"Qlik API 503 listing {space.SpaceId}");
        SpacesListed.Add(space.SpaceId);
        return Task.FromResult<IReadOnlyList<AssetRef>>(tenant[space]);
    }

    public Task<CaptureRunContext> BeginRunAsync(Tier tier, string runId, CancellationToken ct = default)
    {
        if (FailAuditRead) throw new InvalidOperationException("Qlik API 503 reading audits");
        RunsBegun.Enqueue(runId);
        return Task.FromResult(new CaptureRunContext(runId, new RunAudits(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), null, 0)));
    }

    public Task EndRunAsync(Tier tier, CaptureRunContext run, bool advanceCursor, CancellationToken ct = default)
    {
        RunsEnded.Enqueue((run.RunId, advanceCursor));
        return Task.CompletedTask;
    }

    public Task<AssetCaptureResult> CaptureAssetAsync(AssetRef asset, Tier tier, CaptureTrigger trigger, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        int attempt = Attempts.AddOrUpdate(asset.Id, 1, (_, n) => n + 1);
        RunOf[asset.Id] = run?.RunId;
        if (FailuresToInject.TryGetValue(asset.Id, out int failures) && attempt <= failures)
        {
            throw new InvalidOperationException($"Qlik said no to {asset.Id} (attempt {attempt})");
        }

        return Task.FromResult(new AssetCaptureResult(asset, CaptureOutcome.Captured, "p-" + asset.Id, 100, 10));
    }

    /// <summary>Assets the run must not capture (their newest point is current).</summary>
    public ConcurrentDictionary<string, bool> Unchanged { get; } = new();

    public Task<IReadOnlyList<AssetCaptureResult>> FindUnchangedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> assets, CaptureRunContext? run = null, CancellationToken ct = default)
        => Task.FromResult<IReadOnlyList<AssetCaptureResult>>(
            [.. assets.Where(a => Unchanged.ContainsKey(a.Id)).Select(a => new AssetCaptureResult(a, CaptureOutcome.Unchanged, "p-" + a.Id, 100))]);

    public Task<AssetCaptureResult> RecordFailureAsync(AssetRef asset, Tier tier, string error, CancellationToken ct = default)
    {
        RecordedFailures.Add(asset.Id);
        return Task.FromResult(new AssetCaptureResult(asset, CaptureOutcome.Failed, Error: error));
    }

    public Task<IReadOnlyList<AssetCaptureResult>> MarkDeletedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> present, CaptureRunContext? run = null, CancellationToken ct = default)
        => FailDeletedCheck.ContainsKey(space.SpaceId)
            ? throw new InvalidOperationException($"Qlik API 400 in the deleted check of {space.SpaceId}")
            : Task.FromResult<IReadOnlyList<AssetCaptureResult>>([]);
}
