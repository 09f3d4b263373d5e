using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;

namespace QlikBackup.Core.Restore;

/// <summary>
/// The restore engine. Planning reads only; execution is idempotent (see <see cref="RestoreProgressStore"/>); every restore is
/// audited in Table storage and an append-only blob. A point whose blobs are missing is refused when planning
/// (<see cref="ContentIntegrityException"/>, 422 at the API); one whose bytes do not authenticate is refused before
/// execution writes anything to the tenant.
/// </summary>
internal sealed class RestoreService(
    RestorePlanner planner, RestorePlanStore plans, RestoreExecutor executor, RestoreDiscarder discarder, RestorePromoter promoter, RestoreComparer comparer, RestoreAuditLog audit,
    PointVerifier verifier, ITenantContext tenant, TimeProvider time, ILogger<RestoreService> log) : IRestoreService
{
    public Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default) => PlanAsync(request, null, ct);

    public async Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct = default)
    {
        var plan = await planner.PlanAsync(request, restoreId, ct);
        // A point whose blobs are missing is refused before its plan is stored.
        await VerifyAsync(plan, readData: false, ct);
        await plans.SaveAsync(plan.TenantId ?? tenant.TenantId, plan, ct);
        log.LogInformation("Restore {RestoreId} planned for {Operator}: {Scope} {Target}, {Summary}.", plan.RestoreId, request.Operator, request.Scope, request.Target, plan.Summary);
        return plan;
    }

    public Task<RestorePlan?> GetPlanAsync(string restoreId, CancellationToken ct = default) => plans.GetAsync(tenant.TenantId, restoreId, ct);

    public async Task CheckCurrentAsync(RestorePlan plan, CancellationToken ct = default)
    {
        RestorePlan now;
        try
        {
            now = await planner.PlanAsync(plan.Request, plan.RestoreId, ct);
        }
        catch (RestoreRequestException ex)
        {
            throw Stale(plan, [$"planning it again now fails: {ex.Message}"]);
        }
        var changes = RestorePlanDiff.Changes(plan, now);
        if (changes.Count > 0) throw Stale(plan, changes);
    }

    static RestoreRequestException Stale(RestorePlan plan, IReadOnlyList<string> changes)
        => new(409, "The tenant changed since the plan",
            $"Plan {plan.RestoreId} of {plan.CreatedAt:u} no longer matches the tenant: {string.Join("; ", changes.Take(10))}{(changes.Count > 10 ? $"; and {changes.Count - 10} more" : "")}. "
            + "Review a new plan (POST /api/restores with dryRun) and run that one.");

    public async Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default)
    {
        try
        {
            // Every byte is authenticated before the first write, so a damaged point never half-restores an app.
            await VerifyAsync(plan, readData: true, ct);
        }
        catch (ContentIntegrityException ex)
        {
            log.LogError(ex, "Restore {RestoreId} refused: a recovery point failed verification.", plan.RestoreId);
            // A result, not an exception: retrying cannot repair the point.
            return new RestoreResult(plan.RestoreId, false, [], new Dictionary<string, string>(), null, $"Refused, nothing was changed: {ex.Message}");
        }

        var result = await executor.ExecuteAsync(plan, ct);
        log.LogInformation("Restore {RestoreId} executed: {Done} action(s) done, restored asset {AssetId}.", plan.RestoreId, result.Done.Count, result.RestoredAssetId);
        return result;
    }

    public async Task<RestoreBatchPlan> PrepareAsync(string restoreId, int maxActionsPerBatch, CancellationToken ct = default)
    {
        var plan = await ExecutablePlanAsync(restoreId, ct);
        try
        {
            await VerifyAsync(plan, readData: true, ct);
        }
        catch (ContentIntegrityException ex)
        {
            log.LogError(ex, "Restore {RestoreId} refused: a recovery point failed verification.", plan.RestoreId);
            return new RestoreBatchPlan(plan.RestoreId, plan.Actions.Count, [], $"Refused, nothing was changed: {ex.Message}");
        }
        return new RestoreBatchPlan(plan.RestoreId, plan.Actions.Count, RestoreBatchPlan.Split(plan.Actions, maxActionsPerBatch));
    }

    public async Task<RestoreBatchResult> ExecuteBatchAsync(string restoreId, int until, CancellationToken ct = default)
    {
        var plan = await ExecutablePlanAsync(restoreId, ct);
        var result = await executor.ExecuteAsync(plan, until, ct);
        if (until >= plan.Actions.Count)
        {
            await plans.SaveResultAsync(TenantOf(plan), result, ct);
            log.LogInformation("Restore {RestoreId} executed: {Done} action(s) done, restored asset {AssetId}.", plan.RestoreId, result.Done.Count, result.RestoredAssetId);
        }
        return new RestoreBatchResult(result.Done.Count, plan.Actions.Count);
    }

    public async Task<RestoreSummary> CompleteAsync(string restoreId, string? error, TimeSpan duration, CancellationToken ct = default)
    {
        var plan = await ExecutablePlanAsync(restoreId, ct);
        RestoreResult? result = error is null ? await plans.GetResultAsync(TenantOf(plan), restoreId, ct) : null;
        if (result is null)
        {
            result = new RestoreResult(plan.RestoreId, false, [], new Dictionary<string, string>(), null,
                string.IsNullOrWhiteSpace(error) ? "The restore ended without a result and without an error message." : error);
            await plans.SaveResultAsync(TenantOf(plan), result, ct);
        }
        await RecordAuditAsync(plan, result, duration, ct);
        return RestoreSummary.Of(plan, result, duration);
    }

    public async Task<RestoreResult?> GetResultAsync(string restoreId, CancellationToken ct = default)
        => await plans.GetResultAsync(tenant.TenantId, restoreId, ct);

    /// <summary>The stored plan, to be executed: a plan shown as a dry run is executed when started by its id (the operator's go-ahead).</summary>
    async Task<RestorePlan> ExecutablePlanAsync(string restoreId, CancellationToken ct)
    {
        var stored = await GetPlanAsync(restoreId, ct) ?? throw new InvalidOperationException($"No stored plan for restore '{restoreId}'.");
        return stored with { Request = stored.Request with { DryRun = false } };
    }

    string TenantOf(RestorePlan plan) => plan.TenantId ?? tenant.TenantId;

    public Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default) => discarder.DiscardAsync(plan, ct);

    public Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default)
        => audit.RecordAsync(RestoreAuditLog.Entry(plan, result, duration, plan.TenantId ?? tenant.TenantId, time.GetUtcNow()), ct);

    async Task VerifyAsync(RestorePlan plan, bool readData, CancellationToken ct)
    {
        var run = new VerifyRun();
        foreach (RecoveryPoint point in plan.Points) await verifier.VerifyAsync(point, readData, run, ct);
        run.ThrowIfAny();
    }

    public Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default) => promoter.PromoteAsync(request, ct);

    public Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default)
        => comparer.CompareAsync(leftPointId, rightPointId, ct);
}
