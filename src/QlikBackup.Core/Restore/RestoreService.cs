using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Restore;

/// <summary>
/// The restore engine. Planning reads only; execution is idempotent (see <see cref="RestoreProgressStore"/>); every restore is
/// audited in Table storage and an append-only blob.
/// </summary>
internal sealed class RestoreService(
    RestorePlanner planner, RestoreExecutor executor, RestoreDiscarder discarder, RestorePromoter promoter, RestoreComparer comparer, RestoreAuditLog audit,
    ITenantContext tenant, TimeProvider time, ILogger<RestoreService> log) : IRestoreService
{
    public async Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default)
    {
        var plan = await planner.PlanAsync(request, ct);
        log.LogInformation("Restore {RestoreId} planned for {Operator}: {Scope} {Target}, {Summary}.", plan.RestoreId, request.Operator, request.Scope, request.Target, plan.Summary);
        return plan;
    }

    public async Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default)
    {
        var result = await executor.ExecuteAsync(plan, ct);
        log.LogInformation("Restore {RestoreId} executed: {Done} action(s) done, restored asset {AssetId}.", plan.RestoreId, result.Done.Count, result.RestoredAssetId);
        return result;
    }

    public Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default) => discarder.DiscardAsync(plan, ct);

    public Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default)
        => audit.RecordAsync(RestoreAuditLog.Entry(plan, result, duration, plan.TenantId ?? tenant.TenantId, time.GetUtcNow()), ct);

    public Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default) => promoter.PromoteAsync(request, ct);

    public Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default)
        => comparer.CompareAsync(leftPointId, rightPointId, ct);
}
