namespace QlikBackup.Core.Restore;

/// <summary>What differs between a stored plan and the same request planned again now, in words for a 409.</summary>
internal static class RestorePlanDiff
{
    public static IReadOnlyList<string> Changes(RestorePlan was, RestorePlan now)
    {
        var changes = new List<string>();
        var wasPoints = was.Points.Select(p => p.PointId).ToHashSet(StringComparer.Ordinal);
        foreach (var p in now.Points.Where(p => !wasPoints.Contains(p.PointId)))
            changes.Add($"{p.Kind} '{p.Name ?? p.AssetId}' would now be restored from point {p.PointId} (captured {p.CapturedAt:u})");
        var nowPoints = now.Points.Select(p => p.PointId).ToHashSet(StringComparer.Ordinal);
        foreach (var p in was.Points.Where(p => !nowPoints.Contains(p.PointId)))
            changes.Add($"point {p.PointId} of {p.Kind} '{p.Name ?? p.AssetId}' is no longer chosen");

        var before = was.Actions.ToDictionary(a => a.Id, StringComparer.Ordinal);
        var after = now.Actions.ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var (id, a) in after)
        {
            if (!before.TryGetValue(id, out var b)) changes.Add($"new: {a.Kind} — {a.Description}");
            else if (b.Kind != a.Kind) changes.Add($"{b.Kind} became {a.Kind} — {a.Description}");
        }
        foreach (var (id, b) in before.Where(x => !after.ContainsKey(x.Key)))
            changes.Add($"no longer needed: {b.Kind} — {b.Description}");
        return changes;
    }
}
