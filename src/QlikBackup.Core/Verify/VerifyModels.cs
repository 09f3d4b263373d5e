using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Verify;

/// <summary>What to verify: one point, every point of one asset (of one kind, or of every kind), or the whole store.</summary>
public sealed record VerifyRequest(string? PointId = null, AssetKind? Kind = null, string? AssetId = null, bool All = false)
{
    /// <summary>Exactly one of <see cref="PointId"/>, <see cref="AssetId"/> and <see cref="All"/>; null when it is.</summary>
    public string? Problem =>
        (PointId is not null ? 1 : 0) + (AssetId is not null ? 1 : 0) + (All ? 1 : 0) != 1
            ? "Give exactly one of pointId, assetId (with an optional kind) or all: true."
            : Kind is not null && AssetId is null ? "kind goes with assetId." : null;
}

public enum VerifyProblemKind
{
    /// <summary>A blob the point needs is gone (or the index names a point that does not exist).</summary>
    Missing,

    /// <summary>A blob is there but does not authenticate: altered, truncated, or another point's.</summary>
    Corrupt,
}

/// <param name="Part">The manifest part, or null for the point's manifest (or index row) itself.</param>
public sealed record VerifyProblem(string PointId, AssetKind Kind, string AssetId, string? Part, VerifyProblemKind Problem, string Detail);

/// <summary>What a verify run read and found. <see cref="Problems"/> lists at most <see cref="MaxListed"/> of them.</summary>
public sealed record VerifyReport(int Points, int Contents, long Bytes, int ProblemCount, IReadOnlyList<VerifyProblem> Problems, IReadOnlyList<string> Errors)
{
    public const int MaxListed = 500;

    public static VerifyReport Empty { get; } = new(0, 0, 0, 0, [], []);

    /// <summary>Every blob read back whole and authentic, and no part of the run failed.</summary>
    public bool Ok => ProblemCount == 0 && Errors.Count == 0;

    public VerifyReport Add(VerifyReport other) => new(
        Points + other.Points, Contents + other.Contents, Bytes + other.Bytes, ProblemCount + other.ProblemCount,
        [.. Problems.Concat(other.Problems).Take(MaxListed)], [.. Errors.Concat(other.Errors).Take(MaxListed)]);

    public static VerifyReport Failed(string error) => Empty with { Errors = [error] };
}

/// <summary>One asset with recovery points: the unit a whole-store verify fans out over.</summary>
public sealed record VerifyTarget(AssetKind Kind, string AssetId);
