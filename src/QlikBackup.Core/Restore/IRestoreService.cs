using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Restore;

public enum RestoreScope { Object, App, Space, TenantConfig }

public enum RestoreTargetKind { InPlace, ValidationSpace }

/// <summary>
/// A restore as an operator (or Qlik Application Automation) asks for it. Either <see cref="PointId"/> or
/// <see cref="AssetId"/> + <see cref="IncidentTime"/> (the planner picks the newest point before it) must be given.
/// </summary>
public sealed record RestoreRequest
{
    public RestoreScope Scope { get; init; } = RestoreScope.App;
    public string? PointId { get; init; }
    public AssetKind? Kind { get; init; }
    public string? AssetId { get; init; }
    public DateTimeOffset? IncidentTime { get; init; }
    /// <summary>For <see cref="RestoreScope.Object"/>: the qId of the object (or "script" for the load script).</summary>
    public string? ObjectId { get; init; }
    /// <summary>For <see cref="RestoreScope.TenantConfig"/>: which kinds; null = all.</summary>
    public IReadOnlyList<AssetKind>? Kinds { get; init; }
    public RestoreTargetKind Target { get; init; } = RestoreTargetKind.InPlace;
    public string? TargetSpaceId { get; init; }
    public string? TargetSpaceName { get; init; }
    public bool CreateTargetSpace { get; init; }
    public bool DryRun { get; init; }
    public required string Operator { get; init; }
}

public enum RestoreActionKind { Create, Replace, Skip }

/// <summary>One planned change. <see cref="Id"/> is stable so a retried execution can recognise work already done.</summary>
public sealed record RestoreAction(string Id, RestoreActionKind Kind, AssetKind AssetKind, string AssetId, string? Name, string? ObjectId, string Description);

public sealed record RestorePlan(
    string RestoreId,
    RestoreRequest Request,
    IReadOnlyList<RecoveryPoint> Points,
    IReadOnlyList<RestoreAction> Actions,
    IReadOnlyList<string> ReconfigurationChecklist,
    IReadOnlyList<string> Warnings);

public sealed record RestoreResult(
    string RestoreId, bool Succeeded, IReadOnlyList<RestoreAction> Done, IReadOnlyDictionary<string, string> IdMap, string? RestoredAssetId, string? Error);

/// <summary>A bad restore request (unknown point, mismatched scope, missing target space). Maps to HTTP 4xx.</summary>
public sealed class RestoreRequestException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>
/// The restore engine: plan first (touching nothing), then execute the plan idempotently, then audit.
/// </summary>
public interface IRestoreService
{
    Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default);
    /// <summary>Executes a plan. Safe to call again after a failure: actions already applied are recognised and skipped.</summary>
    Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default);
    /// <summary>Appends the audit entry (Table + append-only blob).</summary>
    Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default);
}
