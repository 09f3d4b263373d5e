using Microsoft.Extensions.Logging;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// After a restore has failed for good: removes the target spaces it created (a validation or isolated space, a missing target
/// named by the request) with what it put in them, and the stand-in source apps it imported to publish into them, so a failed
/// restore leaves the tenant as it found it. Spaces it did not create are never touched.
/// </summary>
internal sealed class RestoreDiscarder(IQlikRestClient rest, RestoreProgressStore progress, ILogger<RestoreDiscarder> log)
{
    public async Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct)
    {
        var rows = await progress.LoadAsync(plan.RestoreId, ct);
        var removed = new List<string>();
        var created = plan.Actions.Where(a => a.Step == RestoreStep.TargetSpace && rows.ContainsKey(a.Id)).ToList();
        foreach (var action in created)
        {
            string? spaceId = rows[action.Id].CreatedId;
            if (spaceId is null)
            {
                // Started but its answer was lost: planning saw no space of this name, so one that exists now is this restore's.
                await foreach (var s in rest.ListSpacesAsync(ct))
                    if (string.Equals(s.Name, action.Name, StringComparison.OrdinalIgnoreCase)) spaceId = s.Id;
            }
            if (spaceId is null || await rest.GetSpaceAsync(spaceId, ct) is null) continue;
            var apps = new List<string>();
            await foreach (var item in rest.ListItemsAsync("app", spaceId, ct)) apps.Add(item.ResourceId);
            await DeleteAppsAsync(apps, ct);
            await rest.DeleteSpaceAsync(spaceId, ct);
            removed.Add(spaceId);
            log.LogWarning("Restore {RestoreId} failed: removed space {SpaceId} ('{Name}') that it had created.", plan.RestoreId, spaceId, action.Name);
        }
        // Apps published into a created space were imported into the principal's personal space first.
        var standIns = plan.Actions
            .Where(a => a.Step == RestoreStep.Publish && created.Any(c => c.Id == a.ObjectId))
            .SelectMany(p => plan.Actions.Where(i => i.Step == RestoreStep.ImportApp && i.PointId == p.PointId))
            .Select(i => rows.GetValueOrDefault(i.Id)?.CreatedId).OfType<string>();
        await DeleteAppsAsync(standIns.ToList(), ct);
        return removed;
    }

    /// <summary>Deletes each app that still exists, with its reload tasks (Qlik would otherwise keep tasks of a deleted app).</summary>
    async Task DeleteAppsAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        var tasks = new List<QlikResource>();
        await foreach (var t in rest.ListAsync(QlikResourceKind.ReloadTask, ct)) tasks.Add(t);
        foreach (var appId in ids)
        {
            if (await rest.GetAppAsync(appId, ct) is null) continue;
            foreach (var task in tasks.Where(t => LiveApp.IsAttachedTo(t.Raw, appId))) await rest.DeleteAsync(QlikResourceKind.ReloadTask, task.Id, ct);
            await rest.DeleteAppAsync(appId, ct);
        }
    }
}
