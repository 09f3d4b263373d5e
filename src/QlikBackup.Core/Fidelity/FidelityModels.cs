namespace QlikBackup.Core.Fidelity;

/// <summary>
/// What to compare: the recovery point <see cref="PointId"/> against the live asset <see cref="LiveAssetId"/> (null = the point's
/// own asset id). <see cref="IdMap"/> maps old ids to the ids the restore created (apps, spaces, users, ...), so links are
/// compared remapped. <see cref="ExpectedSpaceId"/> is where the restore put the asset (an isolated drill space); null = the
/// point's space, remapped. <see cref="Checklist"/> is the restore's reconfiguration checklist: only what is on it may differ.
/// </summary>
public sealed record FidelityRequest
{
    public required string PointId { get; init; }
    public string? LiveAssetId { get; init; }
    public IReadOnlyDictionary<string, string> IdMap { get; init; } = new Dictionary<string, string>();
    public string? ExpectedSpaceId { get; init; }
    public IReadOnlyList<string> Checklist { get; init; } = [];
    /// <summary>
    /// The asset is an isolated copy (a drill's): its reload tasks are expected Disabled (they must not run), data alerts and
    /// subscriptions are not compared (the copy must not notify anyone), a published copy must not link to a production app, and a
    /// space may have more members than the point (content owners are made members so they can own their content).
    /// </summary>
    public bool Isolated { get; init; }
    /// <summary>An automation is expected with state "disabled" (rebuilt into the standby so it does not run there); the rest is compared as captured.</summary>
    public bool AutomationsDisabled { get; init; }
}

/// <summary>One difference: which asset, which object of it (a qId, "script", "assignment user-1", ...), which attribute.</summary>
public sealed record FidelityDifference(string Asset, string Object, string Attribute, string? Expected, string? Actual)
{
    public override string ToString() => $"{Asset} / {Object} / {Attribute}: expected {Expected ?? "(absent)"}, found {Actual ?? "(absent)"}";
}

/// <summary>
/// The result for one asset. <see cref="Objects"/> counts what was compared (app objects, assignments, members, tasks, ...);
/// <see cref="ObjectsEqual"/> those without a difference. <see cref="Opened"/>: the app opened through the Engine and its
/// object tree was read (the smoke test; true for assets that are not apps once they were read).
/// </summary>
public sealed record FidelityResult(
    string Asset,
    string PointId,
    string? LiveAssetId,
    int Objects,
    int ObjectsEqual,
    bool Opened,
    IReadOnlyList<FidelityDifference> Differences,
    IReadOnlyList<string> Checklist)
{
    public bool Equal => Differences.Count == 0 && Opened;
}
