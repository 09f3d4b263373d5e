using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>Diffs two points of an asset, or a point and the live asset, part by part.</summary>
internal sealed class RestoreComparer(IRecoveryPointIndex index, IContentStore store, IQlikRestClient rest, IQlikEngine engine, ITenantContext tenant)
{
    public async Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct)
    {
        var left = await PointAsync(leftPointId, ct);
        var leftParts = await (await PointContent.LoadAsync(store, left, ct)).ReadSnapshotAsync(ct);
        Snapshot rightParts;
        string rightName;
        if (rightPointId is not null)
        {
            var right = await PointAsync(rightPointId, ct);
            if (right.Kind != left.Kind || right.AssetId != left.AssetId)
                throw RestorePlanner.Bad("Points of different assets",
                    $"Point '{leftPointId}' is of {left.Kind} '{left.AssetId}' and point '{rightPointId}' of {right.Kind} '{right.AssetId}'; compare points of one asset.");
            rightParts = await (await PointContent.LoadAsync(store, right, ct)).ReadSnapshotAsync(ct);
            rightName = right.PointId;
        }
        else
        {
            rightParts = await LiveAsync(left, leftParts, ct);
            rightName = "live";
            // Binary parts cannot be read live without exporting; they are not compared against live.
            leftParts = new Snapshot(leftParts.Parts.Where(p => p.Value.Sha256 is null).ToDictionary(p => p.Key, p => p.Value));
        }
        return Diff(left.PointId, rightName, leftParts, rightParts);
    }

    async Task<RecoveryPoint> PointAsync(string pointId, CancellationToken ct)
        => (RecoveryPointIds.TryParse(pointId, out _, out _, out _) ? await index.GetAsync(tenant.TenantId, pointId, ct) : null)
            ?? throw new RestoreRequestException(404, "Recovery point not found", $"There is no recovery point '{pointId}' for tenant '{tenant.TenantId}'.");

    async Task<Snapshot> LiveAsync(RecoveryPoint point, Snapshot captured, CancellationToken ct)
    {
        string gone = $"{point.Kind} '{point.Name ?? point.AssetId}' ({point.AssetId}) no longer exists; compare two points instead.";
        switch (point.Kind)
        {
            case AssetKind.App:
            {
                var app = await rest.GetAppAsync(point.AssetId, ct) ?? throw new RestoreRequestException(404, "Asset not found", gone);
                var owners = captured.Parts.Keys.Select(ObjectPartName.Parse).Select(o => o?.PrivateOwnerId).OfType<string>();
                await using var sessions = new EngineSessions(engine, forWrite: false);
                return (await LiveApp.ReadAsync(sessions, app, owners, new ResourceListings(rest), ct)).Snapshot;
            }
            case AssetKind.Space:
            {
                var space = await rest.GetSpaceAsync(point.AssetId, ct) ?? throw new RestoreRequestException(404, "Asset not found", gone);
                var assignments = new List<System.Text.Json.JsonElement>();
                await foreach (var a in rest.ListSpaceAssignmentsAsync(space.Id, ct)) assignments.Add(a.Raw);
                return new Snapshot(new Dictionary<string, SnapshotPart>
                {
                    [CapturePartNames.Resource] = SnapshotPart.OfJson(CapturePartNames.Resource, space.Raw),
                    [CapturePartNames.Assignments] = SnapshotPart.OfJson(CapturePartNames.Assignments, System.Text.Json.JsonSerializer.SerializeToElement(assignments)),
                });
            }
            default:
            {
                var kind = ResourceShapes.RestKind(point.Kind) ?? throw new InvalidOperationException($"No REST kind for {point.Kind}.");
                var live = await rest.GetAsync(kind, point.AssetId, ct) ?? throw new RestoreRequestException(404, "Asset not found", gone);
                return new Snapshot(new Dictionary<string, SnapshotPart> { [CapturePartNames.Resource] = SnapshotPart.OfJson(CapturePartNames.Resource, live.Raw) });
            }
        }
    }

    internal static RestoreComparison Diff(string leftName, string rightName, Snapshot left, Snapshot right)
    {
        var added = right.Parts.Keys.Where(k => !left.Parts.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var removed = left.Parts.Keys.Where(k => !right.Parts.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var changed = new List<PartDiff>();
        int unchanged = 0;
        foreach (var (name, l) in left.Parts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (right.Find(name) is not { } r) continue;
            if (l.SameAs(r))
            {
                unchanged++;
                continue;
            }
            changed.Add(new PartDiff(name, l.Json is { } lj && r.Json is { } rj ? JsonTools.Diff(lj, rj) : []));
        }
        ScriptDiff? script = null;
        if (left.Find(CapturePartNames.Script)?.Text is { } ls && right.Find(CapturePartNames.Script)?.Text is { } rs)
            script = ScriptLines(ls, rs);
        return new RestoreComparison(leftName, rightName, added, removed, changed, unchanged, script);
    }

    /// <summary>A line diff of two load scripts (DiffPlex), with line numbers on each side.</summary>
    internal static ScriptDiff ScriptLines(string oldText, string newText)
    {
        var model = InlineDiffBuilder.Diff(oldText.Replace("\r\n", "\n"), newText.Replace("\r\n", "\n"), ignoreWhiteSpace: false);
        var lines = new List<DiffLine>();
        int oldNo = 0, newNo = 0;
        foreach (var line in model.Lines)
        {
            switch (line.Type)
            {
                case ChangeType.Inserted:
                    lines.Add(new DiffLine(DiffLineKind.Added, null, ++newNo, line.Text));
                    break;
                case ChangeType.Deleted:
                    lines.Add(new DiffLine(DiffLineKind.Removed, ++oldNo, null, line.Text));
                    break;
                case ChangeType.Imaginary:
                    break;
                default:
                    lines.Add(new DiffLine(DiffLineKind.Unchanged, ++oldNo, ++newNo, line.Text));
                    break;
            }
        }
        return new ScriptDiff(lines.Count(l => l.Kind == DiffLineKind.Added), lines.Count(l => l.Kind == DiffLineKind.Removed), lines);
    }
}
