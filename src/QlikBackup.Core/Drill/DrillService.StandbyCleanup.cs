using Microsoft.Extensions.Logging;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Drill;

// The clean-up of a Tenant drill: the standby left as the drill found it (empty), what was removed and what could not be, named.
public sealed partial class DrillService
{
    /// <summary>One thing in the standby, as the clean-up names it.</summary>
    sealed record StandbyItem(string Kind, string Id, string? Name)
    {
        public string Key => $"{Kind} {Id}";
        public override string ToString() => Name is null ? $"{Kind} {Id}" : $"{Kind} '{Name}' ({Id})";
    }

    /// <summary>
    /// What a standby rebuild can create, in the order the clean-up removes it: what is attached to apps first, then what lives
    /// in spaces (a space holding content cannot be deleted: 412), the apps, the spaces, tenant resources, and last the
    /// identities (an owner outlives what they own).
    /// </summary>
    static readonly IReadOnlyList<(string Kind, QlikResourceKind? Api)> StandbyKinds =
    [
        ("data alert", QlikResourceKind.DataAlert), ("subscription", QlikResourceKind.SharingTask), ("reload task", QlikResourceKind.ReloadTask),
        ("automation", QlikResourceKind.Automation), ("automation connection", QlikResourceKind.AutomationConnection),
        ("data connection", QlikResourceKind.DataConnection), ("app", null), ("space", null), ("theme", QlikResourceKind.Theme),
        ("webhook", QlikResourceKind.Webhook), ("user", QlikResourceKind.User), ("group", QlikResourceKind.Group),
    ];

    /// <summary>The kinds the clean-up names ("app", "reload task", ...): each removed or left-behind line starts with one.</summary>
    public static IEnumerable<string> StandbyKindNames => StandbyKinds.Select(k => k.Kind);

    /// <summary>Everything in the standby the restore principal sees, in clean-up order.</summary>
    static async Task<List<StandbyItem>> StandbyContentAsync(StandbyTenant target, CancellationToken ct)
    {
        var items = new List<StandbyItem>();
        foreach (var (kind, api) in StandbyKinds)
        {
            if (api is { } k)
                await foreach (var r in target.Rest.ListAsync(k, ct)) items.Add(new StandbyItem(kind, r.Id, r.Name));
            else if (kind == "app")
                await foreach (var a in target.Rest.ListItemsAsync("app", null, ct)) items.Add(new StandbyItem(kind, a.ResourceId, a.Name));
            else
                await foreach (var s in target.Rest.ListSpacesAsync(ct)) items.Add(new StandbyItem(kind, s.Id, s.Name));
        }
        return items;
    }

    /// <summary>
    /// Removes from the standby everything that was not there when the drill chose its points (<see cref="DrillSelection.StandbyBefore"/>),
    /// so the next Tenant drill finds it empty again; nothing that was there before is touched. Each removal and each failure
    /// (with Qlik's answer) is a line of the report; whatever is still there afterwards is left behind, which fails the drill
    /// and raises its alert. With <see cref="DrillRequest.KeepStandby"/> nothing is removed and the report says where the rebuild is.
    /// </summary>
    async Task<DrillCleanup> CleanupStandbyAsync(DrillSelection selection, CancellationToken ct)
    {
        var target = Standby;
        if (selection.Request.KeepStandby)
            return new DrillCleanup([], [], $"The rebuild is kept in the standby tenant {target.TenantUrl} for inspection, as asked (keepStandby). "
                + "The next Tenant drill is refused until the standby is empty again: delete what this drill created there.");
        if (selection.StandbyBefore is not { } beforeKeys)
            return new DrillCleanup([], [$"the standby tenant {target.TenantUrl}: the drill did not record what it held before, so nothing was removed (empty it by hand)"]);
        var before = beforeKeys.ToHashSet(StringComparer.Ordinal);
        var added = (await StandbyContentAsync(target, ct)).Where(i => !before.Contains(i.Key)).ToList();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in added)
        {
            try
            {
                await DeleteStandbyItemAsync(target, item, ct);
            }
            catch (QlikApiException ex) when (ex.Status == 404)
            {
                // Gone with what held it (an app's alert, a space's connection).
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Drill {DrillId}: could not remove {Item} from the standby", selection.DrillId, item);
                failed[item.Key] = $"{item} in the standby tenant: {ex.Message}";
            }
        }
        // Checked again from the standby itself: what is still there was not removed, whatever the calls answered.
        var still = (await StandbyContentAsync(target, ct)).Where(i => !before.Contains(i.Key)).ToList();
        var stillKeys = still.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        return new DrillCleanup(
            added.Where(i => !stillKeys.Contains(i.Key)).Select(i => $"{i} from the standby tenant").ToList(),
            still.Select(i => failed.GetValueOrDefault(i.Key) ?? $"{i} in the standby tenant: still there after the clean-up").ToList());
    }

    static Task DeleteStandbyItemAsync(StandbyTenant target, StandbyItem item, CancellationToken ct) => item.Kind switch
    {
        "app" => target.Rest.DeleteAppAsync(item.Id, ct),
        "space" => target.Rest.DeleteSpaceAsync(item.Id, ct),
        _ => target.Rest.DeleteAsync(StandbyKinds.First(k => k.Kind == item.Kind).Api!.Value, item.Id, ct),
    };

    /// <summary>What the standby holds before a Tenant drill rebuilds into it: its clean-up leaves exactly this.</summary>
    static async Task<IReadOnlyList<string>> StandbyBeforeAsync(StandbyTenant target, CancellationToken ct)
        => (await StandbyContentAsync(target, ct)).Select(i => i.Key).ToList();
}
