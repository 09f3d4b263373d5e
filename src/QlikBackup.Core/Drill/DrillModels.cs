using QlikBackup.Core.Assets;
using QlikBackup.Core.Fidelity;

namespace QlikBackup.Core.Drill;

/// <summary>
/// What a drill restores: a seeded random sample of a tier's apps, every app of one space, every app of a tier, or the whole
/// tenant into the standby tenant (<see cref="StandbyOptions"/>), as a recovery from losing the tenant's region would.
/// </summary>
public enum DrillScope { Sample, Space, Tier, Tenant }

/// <summary>
/// A drill as an operator, the timer or Qlik Application Automation asks for it. <see cref="Tier"/> is required for
/// Sample and Tier; <see cref="SpaceId"/> for Space. <see cref="Seed"/> makes a sample repeatable (null: a new one, in the report).
/// </summary>
public sealed record DrillRequest
{
    public DrillScope Scope { get; init; } = DrillScope.Sample;
    public Tier? Tier { get; init; }
    public string? SpaceId { get; init; }
    public int? SampleSize { get; init; }
    public int? Seed { get; init; }
    /// <summary>
    /// Tenant drill only: leave the rebuild in the standby tenant for inspection instead of removing it after the checks. The
    /// report says so, and the next Tenant drill is refused (409) until the standby is emptied again.
    /// </summary>
    public bool KeepStandby { get; init; }
    public string Operator { get; init; } = "drill";
    /// <summary>What the caller claimed to be, when that differs from the authenticated operator.</summary>
    public string? OperatorNote { get; init; }
}

/// <summary>One recovery point the drill restores.</summary>
public sealed record DrillAsset(AssetKind Kind, string AssetId, string? Name, string PointId, DateTimeOffset PointCapturedAt, string? SpaceId, string? SpaceName);

/// <summary>
/// The points chosen for a drill, with the tier, its RTO objective and the seed used. A Tenant drill also records what the
/// standby held before it (<see cref="StandbyBefore"/>, "kind id" per item), so its clean-up removes exactly what the drill added.
/// </summary>
public sealed record DrillSelection(string DrillId, string TenantId, DrillRequest Request, Tier Tier, TimeSpan RtoObjective, int? Seed, IReadOnlyList<DrillAsset> Assets,
    IReadOnlyList<string>? StandbyBefore = null);

/// <summary>One asset of a drill; <see cref="Scope"/> says where it is restored (a Tenant drill: into the standby tenant).</summary>
public sealed record DrillAssetInput(string DrillId, DrillAsset Asset, DrillScope Scope = DrillScope.Sample);

public enum DrillAssetResult { Equal, Different, Failed }

/// <summary>One asset restored into a drill space and checked. <see cref="VerifiedAt"/> is set by the orchestration.</summary>
public sealed record DrillAssetOutcome(
    DrillAsset Asset,
    DrillAssetResult Result,
    string? TargetSpace,
    string? RestoredAssetId,
    TimeSpan Duration,
    FidelityResult? Fidelity,
    IReadOnlyList<string> Checklist,
    string? Error,
    DateTimeOffset? VerifiedAt = null);

/// <summary>
/// What the drill created and removed again, and what it could not remove and why (named exactly, for an operator).
/// <see cref="Kept"/>: the operator asked to keep the standby rebuild (<see cref="DrillRequest.KeepStandby"/>); it says where.
/// </summary>
public sealed record DrillCleanup(IReadOnlyList<string> Removed, IReadOnlyList<string> LeftBehind, string? Kept = null)
{
    /// <summary>One line for headlines and logs.</summary>
    public string Summary => Kept is not null ? $"standby kept for inspection ({Removed.Count} removed)"
        : LeftBehind.Count == 0 ? $"clean-up removed {Removed.Count}, nothing left behind"
        : $"clean-up removed {Removed.Count}, left behind {LeftBehind.Count}";
}

/// <summary>
/// The evidence of one drill, stored immutably and indexed. A Tenant drill keeps what the standby held before it
/// (<see cref="StandbyBefore"/>, as chosen at selection) so its clean-up can be run again later (POST /api/drills/{id}/clean-up);
/// <see cref="CleanUps"/> are those later runs, stored beside the report and added when it is read.
/// </summary>
public sealed record DrillReport(
    string DrillId,
    string TenantId,
    DrillRequest Request,
    Tier Tier,
    int? Seed,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    TimeSpan Rto,
    TimeSpan RtoObjective,
    IReadOnlyList<DrillAssetOutcome> Assets,
    DrillCleanup Cleanup,
    string? Error = null,
    IReadOnlyList<string>? StandbyBefore = null,
    IReadOnlyList<DrillCleanUpRun>? CleanUps = null)
{
    public int AssetsEqual => Assets.Count(a => a.Result == DrillAssetResult.Equal);
    public int Objects => Assets.Sum(a => a.Fidelity?.Objects ?? 0);
    public int ObjectsEqual => Assets.Sum(a => a.Fidelity?.ObjectsEqual ?? 0);
    public bool RtoBreached => Rto > RtoObjective;
    public IReadOnlyList<string> NotChecked => Request.Scope == DrillScope.Tenant ? DrillService.StandbyNotChecked : DrillService.NotChecked;
    public bool Passed => Error is null && Assets.Count > 0 && AssetsEqual == Assets.Count && !RtoBreached && Cleanup.LeftBehind.Count == 0;

    public string Headline => $"{AssetsEqual} of {Assets.Count} assets, {ObjectsEqual} of {Objects} objects restored equal, RTO {Format(Rto)} vs objective {Format(RtoObjective)}";

    static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0.#} s";
}

/// <summary>
/// The clean-up of a Tenant drill run again after the drill (a kept standby emptied, or what a clean-up left behind finished):
/// what it removed and what it left behind, stored beside the drill's report.
/// </summary>
public sealed record DrillCleanUpRun(string DrillId, string OperationId, string Operator, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, DrillCleanup Cleanup)
{
    public bool Passed => Cleanup.LeftBehind.Count == 0;
}

/// <summary>What the clean-up operation of a drill is started with (the drill id, and who asked).</summary>
public sealed record DrillCleanUpRequest(string DrillId, string Operator = "drill");

/// <summary>A row of the drill index (Table DrillReports).</summary>
public sealed record DrillReportSummary(string DrillId, DateTimeOffset StartedAt, DrillScope Scope, Tier Tier, bool Passed, string Headline);

/// <summary>A bad drill request. Maps to HTTP 4xx.</summary>
public sealed class DrillRequestException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}
