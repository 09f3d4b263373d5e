using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Verify;

/// <summary>
/// Checks one recovery point's blobs: its manifest, then every part's descriptor and chunks, or pack. With readData every byte is
/// read and authenticated; without, only that every blob is there (and descriptors authenticate). Used by verify, and by
/// restore before it plans (presence) and before it writes anything to the tenant (every byte).
/// </summary>
public sealed class PointVerifier(IContentStore store, ILogger<PointVerifier> log)
{
    public async Task VerifyAsync(RecoveryPoint point, bool readData, VerifyRun run, CancellationToken ct = default)
    {
        run.Points++;
        if (point.ManifestRef is null) return; // Failed and Deleted points record an event, not content.
        Manifest manifest;
        try
        {
            // Afresh first: the read below may be served by the pack cache, which says what storage held, not what it holds.
            if ((await store.VerifyManyAsync(point.TenantId, [point.ManifestRef], readData: true, ct))[0].Failure is { } failed) throw failed;
            manifest = await store.ReadManifestAsync(point.TenantId, point.ManifestRef, ct);
        }
        catch (ContentIntegrityException ex)
        {
            run.Report(Problem(point, null, ex));
            return;
        }

        if (manifest.PointId is { } owner && owner != point.PointId)
        {
            run.Report(Problem(point, null, new ContentIntegrityException(
                $"The index row of point {point.PointId} names the manifest of point {owner}: the row was swapped or altered.")));
            return;
        }

        // Every content not checked yet in this run, together: each pack is read once for all its entries.
        string[] toCheck = [.. manifest.Parts.Select(p => p.ContentRef).Where(r => !run.Checked.ContainsKey(r)).Distinct()];
        if (toCheck.Length > 0)
        {
            foreach (ContentCheck check in await store.VerifyManyAsync(point.TenantId, toCheck, readData, ct))
            {
                run.Bytes += check.Bytes;
                run.Checked[check.ContentRef] = check.Failure;
            }
        }

        foreach (ManifestPart part in manifest.Parts)
        {
            if (run.Checked[part.ContentRef] is { } failure) run.Report(Problem(point, part.Name, failure));
        }
    }

    VerifyProblem Problem(RecoveryPoint point, string? part, ContentIntegrityException ex)
    {
        log.LogError(ex, "Point {PointId} ({Kind} {AssetId}) part {Part} is not whole", point.PointId, point.Kind, point.AssetId, part ?? "manifest");
        return new VerifyProblem(point.PointId, point.Kind, point.AssetId, part, ex.Missing ? VerifyProblemKind.Missing : VerifyProblemKind.Corrupt, ex.Message);
    }
}

/// <summary>One verify run's state: each content is checked once, its outcome reused for every point that shares it.</summary>
public sealed class VerifyRun
{
    readonly List<VerifyProblem> problems = [];
    int problemCount;

    internal Dictionary<string, ContentIntegrityException?> Checked { get; } = new(StringComparer.Ordinal);

    public int Points { get; internal set; }

    public long Bytes { get; internal set; }

    public void Report(VerifyProblem problem)
    {
        problemCount++;
        if (problems.Count < VerifyReport.MaxListed) problems.Add(problem);
    }

    public VerifyReport ToReport() => new(Points, Checked.Count, Bytes, problemCount, [.. problems], []);

    /// <summary>Throws the first problem found as a <see cref="ContentIntegrityException"/> (422 at the API).</summary>
    public void ThrowIfAny()
    {
        if (problemCount == 0) return;
        VerifyProblem p = problems[0];
        throw new ContentIntegrityException(
            $"Recovery point {p.PointId} ({p.Kind} {p.AssetId}) failed verification: {p.Problem} {p.Part ?? "manifest"}: {p.Detail}"
            + (problemCount > 1 ? $" ({problemCount - 1} more problem(s))" : ""));
    }
}
