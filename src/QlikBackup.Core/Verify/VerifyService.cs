using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Verify;

/// <summary>
/// Re-reads and authenticates every blob of a point, an asset or the whole store (like <c>restic check --read-data</c>):
/// the manifest, then every part's descriptor and chunks, each content once per run however many points share it.
/// Reports what is missing or corrupt; changes nothing.
/// </summary>
public sealed class VerifyService(IRecoveryPointIndex index, PointVerifier verifier, CapturedAssetCatalog catalog, ITenantContext tenant)
{
    /// <summary>Points of one asset read per run: every point retention keeps is far fewer.</summary>
    const int MaxPointsPerAsset = 1000;

    string TenantId => tenant.TenantId;

    /// <summary>Every asset that has points (the catalog reaches all of them, as retention's mark phase relies on).</summary>
    public async Task<IReadOnlyList<VerifyTarget>> ListTargetsAsync(CancellationToken ct = default)
        => [.. (await catalog.ListTenantAsync(TenantId, ct)).Select(a => new VerifyTarget(a.Kind, a.AssetId)).Distinct()];

    public async Task<VerifyReport> VerifyAsync(VerifyRequest request, CancellationToken ct = default)
    {
        if (request.Problem is { } problem) throw new ArgumentException(problem, nameof(request));
        if (request.All)
        {
            var report = VerifyReport.Empty;
            foreach (VerifyTarget target in await ListTargetsAsync(ct))
                report = report.Add(await VerifyAsync(new VerifyRequest(Kind: target.Kind, AssetId: target.AssetId), ct));
            return report;
        }

        var run = new VerifyRun();
        if (request.PointId is { } pointId)
        {
            RecoveryPoint? point = await index.GetAsync(TenantId, pointId, ct);
            if (point is null)
            {
                RecoveryPointIds.TryParse(pointId, out AssetKind kind, out string assetId, out _);
                run.Report(new VerifyProblem(pointId, kind, assetId, null, VerifyProblemKind.Missing, "The index has no such recovery point."));
            }
            else
            {
                await verifier.VerifyAsync(point, readData: true, run, ct);
            }
        }
        else
        {
            foreach (RecoveryPoint point in await index.QueryAsync(TenantId, new RecoveryPointQuery { AssetId = request.AssetId, Kind = request.Kind, Take = MaxPointsPerAsset }, ct))
                await verifier.VerifyAsync(point, readData: true, run, ct);
        }

        return run.ToReport();
    }
}
