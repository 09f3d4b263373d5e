namespace QlikBackup.Core.Restore;

/// <summary>
/// A stored plan cut into batches the orchestration executes one activity at a time, so no Durable message carries a plan or a
/// result (a 300-app space restore has 5,000+ actions, more than the 3.9 MB one orchestrator action may carry). Only the restore id
/// and the batch ends travel; each batch reads the plan from <see cref="RestorePlanStore"/> and its progress from
/// <see cref="RestoreProgressStore"/>, so a retried or replayed batch skips what is done.
/// </summary>
/// <param name="Ends">Exclusive end index in the plan's actions of each batch, ascending; the last is the action count.</param>
/// <param name="Refused">Set when the plan cannot be executed (a point failed verification): nothing was changed.</param>
public sealed record RestoreBatchPlan(string RestoreId, int Actions, IReadOnlyList<int> Ends, string? Refused = null)
{
    /// <summary>
    /// Batch ends of at most about <paramref name="size"/> actions. A batch ends before a step that is not an Engine write, so an
    /// app's objects are written and saved in one batch (one save, one session per owner); a run of Engine writes longer than
    /// twice the size is cut anyway.
    /// </summary>
    public static IReadOnlyList<int> Split(IReadOnlyList<RestoreAction> actions, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var ends = new List<int>();
        int start = 0;
        for (int i = 1; i < actions.Count; i++)
        {
            int length = i - start;
            if ((length >= size && !RestoreExecutor.IsEngineStep(actions[i].Step)) || length >= 2 * size)
            {
                ends.Add(i);
                start = i;
            }
        }
        ends.Add(actions.Count);
        return ends;
    }
}

/// <summary>What one batch did: the actions of the plan done so far (this batch's and earlier ones').</summary>
public sealed record RestoreBatchResult(int Done, int Actions);

/// <summary>
/// A restore as its orchestration returns it: bounded whatever the plan's size (counts, the first checklist lines, the error).
/// The plan and the full <see cref="RestoreResult"/> are stored under the restore id (<see cref="IRestoreService.GetPlanAsync"/>,
/// <see cref="IRestoreService.GetResultAsync"/>); the API answers them in full.
/// </summary>
public sealed record RestoreSummary(
    string RestoreId, bool Succeeded, string? Error, int Actions, int Done, string? RestoredAssetId,
    IReadOnlyList<string> CreatedSpaceIds, IReadOnlyList<string> Checklist, int ChecklistItems, TimeSpan Duration)
{
    /// <summary>At most this many checklist lines travel in the summary; the stored result has them all.</summary>
    public const int MaxChecklistLines = 100;

    public static RestoreSummary Of(RestorePlan plan, RestoreResult result, TimeSpan duration)
    {
        var checklist = plan.ReconfigurationChecklist.Concat(result.Checklist ?? []).ToList();
        return new RestoreSummary(plan.RestoreId, result.Succeeded, result.Error, plan.Actions.Count, result.Done.Count, result.RestoredAssetId,
            result.CreatedSpaceIds ?? [], checklist.Take(MaxChecklistLines).ToList(), checklist.Count, duration);
    }
}
