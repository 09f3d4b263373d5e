using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Restore;

public enum RestoreScope { Object, App, Space, TenantConfig }

/// <summary>
/// <see cref="InPlace"/>: back where the asset was. <see cref="ValidationSpace"/>: shared content only, into a validation space.
/// <see cref="Isolated"/>: a full-fidelity copy (owners, private objects, publish state, disabled reload tasks) in a new space named by
/// <see cref="RestoreRequest.TargetSpaceName"/>, created by the restore; for recovery drills.
/// </summary>
public enum RestoreTargetKind { InPlace, ValidationSpace, Isolated }

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
    /// <summary>
    /// App scope in place on an app that still exists: objects that the backup principal can see and that did not
    /// exist at the point are destroyed, so the app is "as it was". Other users' private objects are never touched.
    /// Set false to keep objects added since the point.
    /// </summary>
    public bool RemoveObjectsAddedSincePoint { get; init; } = true;
    /// <summary>Who asked: the authenticated caller (or the function key's name), never a name the caller wrote.</summary>
    public required string Operator { get; init; }
    /// <summary>A name the caller wrote itself (e.g. an X-Operator header): kept beside <see cref="Operator"/>, proving nothing.</summary>
    public string? OperatorNote { get; init; }
    /// <summary>
    /// For a restore into another tenant (the standby drill): the ids there of the point tenant's users, groups and spaces
    /// (Qlik user ids differ per tenant; users are matched by subject or email, groups and spaces by name). Owners, members and
    /// impersonated users are written with these ids. Set in process only: callers of the API restore into their own tenant.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, string>? IdMap { get; init; }
    /// <summary>
    /// Automations are created (or replaced) with state "disabled": a rebuild into the standby must not run production's
    /// scheduled or triggered automations there. Set in process only (the standby drill).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AutomationsDisabled { get; init; }
}

/// <summary><see cref="Delete"/> is only planned by an in-place App restore (objects added after the point).</summary>
public enum RestoreActionKind { Create, Replace, Skip, Delete }

/// <summary>
/// One planned change. <see cref="Id"/> is stable so a retried execution can recognise work already done.
/// <see cref="PointId"/> is the recovery point the action restores from and <see cref="Part"/> the manifest part
/// (e.g. "object/GenericObject/{qId}", "script", "qvf"); both null for actions that read no content.
/// </summary>
public sealed record RestoreAction(
    string Id, RestoreActionKind Kind, AssetKind AssetKind, string AssetId, string? Name, string? ObjectId, string Description,
    string? PointId = null, string? Part = null, RestoreStep? Step = null);

/// <summary>What an action does, so execution needs no parsing of ids.</summary>
public enum RestoreStep
{
    /// <summary>Create the target space (a validation space, a missing target named by the request, or an isolated space).
    /// <see cref="RestoreAction.ObjectId"/> is its type (shared or managed).</summary>
    TargetSpace,
    /// <summary>Recreate (or update) a space from a Space point.</summary>
    Space,
    Assignment,
    ImportApp,
    Object,
    DeleteObject,
    Script,
    AppProperties,
    AppOwner,
    AppSpace,
    Publish,
    ReloadTask,
    Resource,
    /// <summary>Republish a restored source app (new id) over a published copy that still names its old id, relinking the copy
    /// (<see cref="RestoreAction.ObjectId"/> = the copy's app id).</summary>
    Relink,
    /// <summary>Make a content owner a member of an isolated space so Qlik lets them own their objects there
    /// (<see cref="RestoreAction.ObjectId"/> = "{userId}:{role}").</summary>
    OwnerMember,
    // Last: plans are stored and passed with steps as numbers, so existing values keep their meaning.
    /// <summary>Qlik's own restore of a soft-deleted app (same id, reference §15); when Qlik answers it is not restorable
    /// (hard-deleted or purged) the plan's <see cref="ImportApp"/> imports the QVF instead. Done with no created id = not restored.</summary>
    NativeRestore,
}

/// <summary>
/// Where a restored asset goes. <see cref="TargetAssetId"/> is the live asset written in place (null = created anew:
/// an app imported from its QVF, a space or resource created). <see cref="TargetSpaceId"/> is a live space id, or
/// the id of a space that an earlier action of the same plan (<see cref="TargetSpaceActionId"/>) creates.
/// <see cref="TargetSpace"/> says where in words: the space's name and id, "created by this restore", or a personal space.
/// </summary>
public sealed record RestoreTarget(
    string PointId, AssetKind Kind, string AssetId, string? Name, string? TargetAssetId, string? TargetSpaceId,
    string? TargetSpaceActionId = null, bool Validation = false, bool Isolated = false, string? TargetSpace = null);

/// <summary>Who changed the asset before its point was captured (from Qlik's audit events).</summary>
public sealed record PointAttribution(string PointId, DateTimeOffset CapturedAt, string? ChangedBy, DateTimeOffset? ChangedAt, string? ChangedFromClient);

public sealed record RestorePlan(
    string RestoreId,
    RestoreRequest Request,
    IReadOnlyList<RecoveryPoint> Points,
    IReadOnlyList<RestoreAction> Actions,
    IReadOnlyList<string> ReconfigurationChecklist,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<RestoreTarget>? Targets = null,
    IReadOnlyList<PointAttribution>? Attributions = null,
    DateTimeOffset? CreatedAt = null,
    string? TenantId = null)
{
    /// <summary>Counts of actions per kind, e.g. "Create 3, Replace 1, Skip 12".</summary>
    public string Summary => string.Join(", ", Enum.GetValues<RestoreActionKind>()
        .Select(k => (k, n: Actions.Count(a => a.Kind == k))).Where(x => x.n > 0).Select(x => $"{x.k} {x.n}"));
}

/// <summary><see cref="CreatedSpaceIds"/>: the spaces this restore created (a target space, a recreated or isolated space), so a drill can delete them.
/// <see cref="Checklist"/>: manual steps found only while executing (e.g. Qlik refused to create a resource as its owner), beside the plan's.</summary>
public sealed record RestoreResult(
    string RestoreId, bool Succeeded, IReadOnlyList<RestoreAction> Done, IReadOnlyDictionary<string, string> IdMap, string? RestoredAssetId, string? Error,
    IReadOnlyList<string>? CreatedSpaceIds = null, IReadOnlyList<string>? Checklist = null);

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
    /// <summary>Plans the request (touching nothing in Qlik) and stores the plan under its restore id.</summary>
    Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default);
    /// <summary>As above, under the given restore id (the operation id), so request, plan, execution and audit share one id.</summary>
    Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct = default);
    /// <summary>The stored plan of a restore id, or null.</summary>
    Task<RestorePlan?> GetPlanAsync(string restoreId, CancellationToken ct = default);
    /// <summary>
    /// Plans the plan's request again and compares: a different point, an action added, gone or of another kind means the tenant
    /// changed in a way that matters, and a 409 <see cref="RestoreRequestException"/> says what changed.
    /// </summary>
    Task CheckCurrentAsync(RestorePlan plan, CancellationToken ct = default);
    /// <summary>Executes a plan. Safe to call again after a failure: actions already applied are recognised and skipped.</summary>
    Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default);
    /// <summary>
    /// Before a stored plan is executed in batches: authenticates every byte of its points (a point that fails is a
    /// <see cref="RestoreBatchPlan.Refused"/> plan, nothing changed) and cuts it into batches of about <paramref name="maxActionsPerBatch"/> actions.
    /// </summary>
    Task<RestoreBatchPlan> PrepareAsync(string restoreId, int maxActionsPerBatch, CancellationToken ct = default);
    /// <summary>
    /// Executes the stored plan's actions before <paramref name="until"/> (one batch; idempotent like <see cref="ExecuteAsync"/>).
    /// When that is the whole plan, the full result is stored (<see cref="GetResultAsync"/>).
    /// </summary>
    Task<RestoreBatchResult> ExecuteBatchAsync(string restoreId, int until, CancellationToken ct = default);
    /// <summary>
    /// Ends a restore executed in batches: a failed one (<paramref name="error"/>) gets its failed result stored; either is audited.
    /// Answers the bounded summary the orchestration returns.
    /// </summary>
    Task<RestoreSummary> CompleteAsync(string restoreId, string? error, TimeSpan duration, CancellationToken ct = default);
    /// <summary>The stored result of an executed plan, or null (not executed, or still running).</summary>
    Task<RestoreResult?> GetResultAsync(string restoreId, CancellationToken ct = default);
    /// <summary>
    /// After an execution has failed for good: removes the target spaces the plan created (with the apps and reload tasks it put there)
    /// and the stand-in apps it imported to publish into them. Returns the ids of the removed spaces. Spaces it did not create stay.
    /// </summary>
    Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default);
    /// <summary>Appends the audit entry (Table + append-only blob).</summary>
    Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default);

    /// <summary>
    /// Puts a validated app (restored into a validation space and checked) back into production.
    /// <list type="bullet">
    /// <item>Production app in a managed space (a published copy): Qlik republishes only from a copy's source app, so the source app's
    /// script and shared objects are replaced from the validated app (as below), then it is republished over the copy (PUT /apps/{id}/publish).
    /// A copy whose source app is gone is refused (409): restore the source app first.</item>
    /// <item>No production app and a managed target space: the validated app is published there.</item>
    /// <item>Production app in a shared or personal space: its load script and every object the backup principal can see are
    /// replaced from the validated app through the Engine; objects the validated app lacks are destroyed; other users'
    /// private objects are left alone. The production app keeps its id, reload tasks, links and data.</item>
    /// <item>No production app and a shared target space: the validated app is copied into that space.</item>
    /// </list>
    /// Safe to repeat: a second call finds nothing to change (or republishes the same content).
    /// </summary>
    Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default);

    /// <summary>
    /// Compares two recovery points of the same asset, or (when <paramref name="rightPointId"/> is null) a point
    /// with the live asset: parts added/removed/changed, a JSON diff per changed part, and a line diff of the load script.
    /// </summary>
    Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default);
}
