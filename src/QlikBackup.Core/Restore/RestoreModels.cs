namespace QlikBackup.Core.Restore;

/// <summary>
/// Promote a validated app into production. Give <see cref="ProductionAppId"/> to replace (or republish over) an existing
/// production app, or <see cref="TargetSpaceId"/> to put the validated app into a space that has no production copy yet.
/// </summary>
public sealed record PromoteRequest
{
    public required string ValidationAppId { get; init; }
    public string? ProductionAppId { get; init; }
    public string? TargetSpaceId { get; init; }
    public required string Operator { get; init; }
}

public enum PromoteMethod { Republish, Publish, ReplaceContent, Copy }

/// <summary><see cref="Changes"/> lists what was changed in production (e.g. "Replace object/GenericObject/sheet-1").</summary>
public sealed record PromoteResult(string ProductionAppId, PromoteMethod Method, IReadOnlyList<string> Changes);

/// <summary>One difference inside a JSON document. Values are JSON text; null = absent on that side.</summary>
public sealed record JsonChange(string Path, string? Old, string? New);

/// <summary>A part present on both sides with different content (JSON parts: path-level changes; binary parts: none).</summary>
public sealed record PartDiff(string Part, IReadOnlyList<JsonChange> Changes);

public enum DiffLineKind { Unchanged, Added, Removed }

public sealed record DiffLine(DiffLineKind Kind, int? OldLine, int? NewLine, string Text);

public sealed record ScriptDiff(int Added, int Removed, IReadOnlyList<DiffLine> Lines);

/// <summary>
/// Left = the older side (a recovery point), Right = another point or "live". Part names follow the manifest
/// ("object/{class}/{qId}", "private/{owner}/{class}/{qId}", "script", "appprops", "resource", ...).
/// </summary>
public sealed record RestoreComparison(
    string Left,
    string Right,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<PartDiff> Changed,
    int Unchanged,
    ScriptDiff? Script);
