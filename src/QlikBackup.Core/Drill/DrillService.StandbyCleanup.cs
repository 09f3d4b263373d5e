using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Restore;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Drill;

// The clean-up of a Tenant drill: the standby left as the drill found it (empty), what was removed and what could not be, named.
public sealed partial class DrillService
{
    /// <summary>One thing in the standby, as the clean-up names it. A user's <see cref="Access"/>: its name, status, roles and groups.</summary>
    sealed record StandbyItem(string Kind, string Id, string? Name, string? Access = null)
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
                await foreach (var r in target.Rest.ListAsync(k, ct)) items.Add(new StandbyItem(kind, r.Id, r.Name, k == QlikResourceKind.User ? AccessOf(r.Raw) : null));
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
                + $"The next Tenant drill is refused until the standby is empty again: empty it with POST /api/drills/{selection.DrillId}/clean-up (CLI: drill clean-up {selection.DrillId}).");
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
        var (undone, notUndone) = await UndoUserChangesAsync(target, selection.DrillId, beforeKeys, ct);
        return new DrillCleanup(
            [.. added.Where(i => !stillKeys.Contains(i.Key)).Select(i => $"{i} from the standby tenant"), .. undone],
            [.. still.Select(i => failed.GetValueOrDefault(i.Key) ?? $"{i} in the standby tenant: still there after the clean-up"), .. notUndone]);
    }

    static Task DeleteStandbyItemAsync(StandbyTenant target, StandbyItem item, CancellationToken ct) => item.Kind switch
    {
        "app" => target.Rest.DeleteAppAsync(item.Id, ct),
        "space" => target.Rest.DeleteSpaceAsync(item.Id, ct),
        _ => target.Rest.DeleteAsync(StandbyKinds.First(k => k.Kind == item.Kind).Api!.Value, item.Id, ct),
    };

    /// <summary>
    /// What the standby holds before a Tenant drill rebuilds into it ("kind id"), and for each user there before, its access
    /// ("~user id {json}"): a drill that matched it to a production user gave it that user's roles and groups, which the clean-up undoes.
    /// </summary>
    static async Task<IReadOnlyList<string>> StandbyBeforeAsync(StandbyTenant target, CancellationToken ct)
    {
        var items = await StandbyContentAsync(target, ct);
        return [.. items.Select(i => i.Key), .. items.Where(i => i.Access is not null).Select(i => $"~{i.Key} {i.Access}")];
    }

    /// <summary>A user's name, status, role names and group ids, in a stable order: the body of the PATCH that sets them back.</summary>
    static string AccessOf(JsonElement user)
    {
        static IEnumerable<string> Names(JsonElement doc, string array, string field)
            => doc.TryGetProperty(array, out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : JsonTools.GetString(x, field)).OfType<string>().Order(StringComparer.Ordinal)
                : [];
        return new JsonObject
        {
            ["name"] = JsonTools.GetString(user, "name"), ["status"] = JsonTools.GetString(user, "status"),
            ["assignedRoles"] = new JsonArray([.. Names(user, "assignedRoles", "name").Select(n => (JsonNode)new JsonObject { ["name"] = n })]),
            ["assignedGroups"] = new JsonArray([.. Names(user, "assignedGroups", "id").Select(n => (JsonNode)new JsonObject { ["id"] = n })]),
        }.ToJsonString();
    }

    /// <summary>
    /// Users that were in the standby before the drill and that it changed (matched by subject or email to a production user,
    /// they got that user's roles and groups): set back as they were. Returns a line per user set back, and what failed.
    /// </summary>
    async Task<(List<string> Undone, List<string> Failed)> UndoUserChangesAsync(StandbyTenant target, string drillId, IEnumerable<string> before, CancellationToken ct)
    {
        var was = before.Where(b => b.StartsWith("~user ", StringComparison.Ordinal))
            .Select(b => b[1..].Split(' ', 3)).ToDictionary(p => p[1], p => p[2], StringComparer.Ordinal);
        var undone = new List<string>();
        var failed = new List<string>();
        if (was.Count == 0) return (undone, failed);
        foreach (var user in (await StandbyContentAsync(target, ct)).Where(i => i.Kind == "user" && was.TryGetValue(i.Id, out var access) && access != i.Access))
        {
            try
            {
                using var body = JsonDocument.Parse(was[user.Id]);
                await target.Rest.ReplaceAsync(QlikResourceKind.User, user.Id, body.RootElement, ct);
                undone.Add($"changes the drill made to {user} in the standby tenant (name, status, roles and groups set back as they were)");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Drill {DrillId}: could not set {User} back in the standby", drillId, user);
                failed.Add($"{user} in the standby tenant: changed by the drill (roles, groups) and not set back: {ex.Message}");
            }
        }
        // Checked again: a user still not as it was is left behind, whatever the calls answered.
        var still = (await StandbyContentAsync(target, ct)).Where(i => i.Kind == "user" && was.TryGetValue(i.Id, out var access) && access != i.Access).ToList();
        return (undone.Where(u => still.All(s => !u.Contains($"({s.Id})", StringComparison.Ordinal))).ToList(),
            [.. failed.Where(f => still.Any(s => f.Contains($"({s.Id})", StringComparison.Ordinal))),
             .. still.Where(s => failed.All(f => !f.Contains($"({s.Id})", StringComparison.Ordinal))).Select(s => $"{s} in the standby tenant: changed by the drill and still not as it was")]);
    }
}
