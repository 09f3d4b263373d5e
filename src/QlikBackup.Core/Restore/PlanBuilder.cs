using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Restore;

/// <summary>Collects a plan's actions, targets, checklist and warnings while the planner walks the points.</summary>
internal sealed class PlanBuilder(string restoreId)
{
    public string RestoreId { get; } = restoreId;
    public List<RecoveryPoint> Points { get; } = [];
    public List<RestoreAction> Actions { get; } = [];
    public List<RestoreTarget> Targets { get; } = [];
    public List<PointAttribution> Attributions { get; } = [];
    public List<string> Checklist { get; } = [];
    public List<string> Warnings { get; } = [];

    public void AddPoint(RecoveryPoint p)
    {
        if (Points.Any(x => x.PointId == p.PointId)) return;
        Points.Add(p);
        Attributions.Add(new PointAttribution(p.PointId, p.CapturedAt, p.ChangedBy, p.ChangedAt, p.ChangedFromClient));
    }

    /// <summary>Adds an action whose id is "{pointId}:{step}[:{key}]" (or "{restoreId}:{step}:{key}" when it reads no point).</summary>
    public RestoreAction Add(RestoreStep step, RestoreActionKind kind, RecoveryPoint? point, AssetKind assetKind, string assetId, string? name,
        string description, string? objectId = null, string? part = null, string? key = null)
    {
        string? suffix = key ?? part ?? objectId;
        string id = $"{point?.PointId ?? RestoreId}:{step}" + (suffix is null ? "" : ":" + suffix);
        if (Actions.Any(a => a.Id == id)) throw new InvalidOperationException($"Duplicate restore action id '{id}'.");
        var action = new RestoreAction(id, kind, assetKind, assetId, name, objectId, description, point?.PointId, part, step);
        Actions.Add(action);
        return action;
    }

    public void Check(string item)
    {
        if (!Checklist.Contains(item)) Checklist.Add(item);
    }

    public void Check(IEnumerable<string> items)
    {
        foreach (var i in items) Check(i);
    }
}
