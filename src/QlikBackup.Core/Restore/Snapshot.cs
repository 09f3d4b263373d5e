using System.Text.Json;
using QlikBackup.Core.Capture;

namespace QlikBackup.Core.Restore;

/// <summary>One part's content in comparable form: JSON (normalised), text (the script) or only a hash (QVF, theme zip).</summary>
public sealed record SnapshotPart(JsonElement? Json, string? Text, string? Sha256)
{
    public static SnapshotPart OfText(string text) => new(null, text, null);

    /// <summary>REST documents lose their read-only fields first, so a live resource equals its point when only run-time fields differ.</summary>
    public static SnapshotPart OfJson(string part, JsonElement json) => new(ResourceShapes.Normalize(part, json), null, null);

    public bool SameAs(SnapshotPart other)
    {
        if (Json is { } a && other.Json is { } b) return JsonTools.SameContent(a, b);
        if (Text is not null || other.Text is not null) return string.Equals(Normalize(Text), Normalize(other.Text), StringComparison.Ordinal);
        return Sha256 is not null && string.Equals(Sha256, other.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    // Qlik stores scripts with \r\n; a script read back may differ only in line endings.
    static string? Normalize(string? s) => s?.Replace("\r\n", "\n", StringComparison.Ordinal);
}

/// <summary>The parts of an asset by manifest part name, from a point or read live from Qlik.</summary>
public sealed record Snapshot(IReadOnlyDictionary<string, SnapshotPart> Parts)
{
    /// <summary>Parts that describe the capture rather than the asset.</summary>
    public static readonly IReadOnlySet<string> Ignored = new HashSet<string>(StringComparer.Ordinal)
    {
        CapturePartNames.Reconfiguration, CapturePartNames.CaptureNotes,
    };

    public SnapshotPart? Find(string part) => Parts.GetValueOrDefault(part);
}
