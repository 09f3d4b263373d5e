using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QlikBackup.Restore.Tests.Support;

/// <summary>
/// The whole simulated tenant as attributes keyed by what survives a restore (names, not ids): "space 'Sales'", "app 'Sales'/'Margin'",
/// "data-connections 'DataFiles'@'Sales'", ... Every id the tenant holds is written as the name of what it identifies, so a
/// recreated asset (new id) compares equal when it links to the same things. Only what Qlik stamps itself (ids, times, run state) is left out.
/// </summary>
public static class TenantSnapshot
{
    /// <summary>Fields Qlik sets itself on create or run; everything else is an attribute the restore must bring back.</summary>
    static readonly HashSet<string> Stamped = new(StringComparer.Ordinal)
    {
        "id", "qID", "tenantId", "tenant", "createdAt", "updatedAt", "created", "updated", "dateCreated", "lastUpdated",
        "lastExecutionTime", "nextExecutionTime", "log", "disabledCode", "lastRunAt", "lastRunStatus", "lastRunId", "executionToken",
        "createdBy", "createdByUserId", "updatedByUserId", "privileges", "meta", "links", "appName", "ownerName",
    };

    /// <summary>Attribute path → value, per asset key.</summary>
    public static SortedDictionary<string, SortedDictionary<string, string>> Take(SimulatedTenant tenant) => tenant.Read(s =>
    {
        var names = Names(s);
        string N(string? id) => id is null ? "null" : names.GetValueOrDefault(id, id);
        var snap = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        SortedDictionary<string, string> Asset(string key)
        {
            if (!snap.TryGetValue(key, out var attrs)) snap[key] = attrs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            return attrs;
        }

        foreach (var space in s.Spaces)
        {
            var a = Asset(N(space.Id));
            (a["type"], a["description"], a["owner"]) = (space.Type, space.Description, N(space.OwnerId));
        }
        foreach (var x in s.SpaceAssignments)
            Asset($"assignment {N(x.SpaceId)} {x.Type} {N(x.AssigneeId)}")["roles"] = string.Join(",", x.Roles.Order(StringComparer.Ordinal));
        foreach (var app in s.Apps)
        {
            var a = Asset(N(app.Id));
            (a["owner"], a["description"], a["published"], a["originApp"]) = (N(app.OwnerId), app.Description, app.Published.ToString(), N(app.OriginAppId));
            (a["script"], a["data"], a["usage"], a["hasSectionAccess"]) = (app.Document.Script, Sha(app.Document.DataPayload), app.Usage, app.HasSectionAccess.ToString());
            foreach (var o in app.Document.Objects.Values)
                a[$"object {o.Id}"] = $"{o.ObjectClass}|{o.QType}|{N(o.OwnerId)}|published={o.Published}|approved={o.Approved}|{Names(o.Properties.DeepClone(), names)}";
        }
        foreach (var g in s.Groups)
        {
            var a = Asset(N(g.Id));
            (a["status"], a["providerType"], a["roles"]) = (g.Status, g.ProviderType, string.Join(",", g.AssignedRoles.Order(StringComparer.Ordinal)));
        }
        foreach (var u in s.Users)
        {
            var a = Asset($"user '{u.Name}'");
            (a["name"], a["email"], a["status"]) = (u.Name, u.Email ?? "", u.Status);
            (a["roles"], a["groups"]) = (string.Join(",", u.AssignedRoles.Order(StringComparer.Ordinal)), string.Join(",", u.AssignedGroups.Select(N).Order(StringComparer.Ordinal)));
        }
        foreach (var t in s.Themes)
        {
            var a = Asset(N(t.Id));
            (a["description"], a["version"], a["author"], a["qextName"], a["archive"]) = (t.Description, t.Version, t.Author, t.QextName, Sha(t.Zip));
        }
        foreach (var (kind, docs) in s.Resources)
        {
            if (kind is ResourceKinds.Reloads) continue;  // reload runs are history, not configuration
            foreach (var doc in docs)
            {
                var a = Asset(Key(kind, doc, N));
                foreach (var (field, value) in doc)
                    if (!Stamped.Contains(field)) a[field] = Names(value?.DeepClone(), names);
            }
        }
        return snap;
    });

    /// <summary>The differences of two snapshots: (asset, attribute, before, after); a missing asset or attribute is "(absent)".</summary>
    public static List<(string Asset, string Attribute, string Before, string After)> Diff(
        SortedDictionary<string, SortedDictionary<string, string>> before, SortedDictionary<string, SortedDictionary<string, string>> after)
    {
        var diff = new List<(string, string, string, string)>();
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var b = before.GetValueOrDefault(key);
            var a = after.GetValueOrDefault(key);
            if (b is null || a is null)
            {
                diff.Add((key, "(asset)", b is null ? "(absent)" : "exists", a is null ? "(absent)" : "exists"));
                continue;
            }
            foreach (var attr in b.Keys.Union(a.Keys).Order(StringComparer.Ordinal))
            {
                string was = b.GetValueOrDefault(attr, "(absent)"), now = a.GetValueOrDefault(attr, "(absent)");
                if (was != now) diff.Add((key, attr, was, now));
            }
        }
        return diff;
    }

    /// <summary>The snapshot keys of the given objects of apps: (asset, attribute).</summary>
    public static List<(string Asset, string Attribute)> ObjectKeys(SimulatedTenant tenant, IEnumerable<(string AppId, string QId)> objects) => tenant.Read(s =>
    {
        var names = Names(s);
        return objects.Select(o => (names[o.AppId], $"object {o.QId}")).ToList();
    });

    /// <summary>How a checklist line names the asset of a snapshot key, in Qlik's words ("Webhook 'Change feed 1'", "DataConnection 'x'");
    /// an assignment is its space's, a reload task its app's.</summary>
    public static IEnumerable<string> ChecklistNames(string key)
    {
        int q = key.IndexOf('\'');
        string name = q < 0 ? key : key[q..(key.IndexOf('\'', q + 1) + 1)];
        string kind = key[..key.IndexOf(' ')];
        return kind switch
        {
            "space" or "assignment" => [$"Space {name}"],
            "app" or ResourceKinds.ReloadTasks => [$"App {name}"],
            "group" => [$"Group {name}"],
            "user" => [$"User {name}"],
            "theme" => [$"Theme {name}"],
            ResourceKinds.Webhooks => [$"Webhook {name}"],
            ResourceKinds.DataConnections => [$"Data connection {name}", $"DataConnection {name}"],
            ResourceKinds.AutomationConnections => [$"Automation connection {name}", $"AutomationConnection {name}"],
            ResourceKinds.Automations => [$"Automation {name}"],
            ResourceKinds.IdentityProviders => [$"Identity provider {name}", $"IdentityProvider {name}"],
            ResourceKinds.DataAlerts => [$"DataAlert {name}"],
            ResourceKinds.SharingTasks => [$"Subscription {name}"],
            _ => [key],
        };
    }

    /// <summary>What identifies a resource when its id changed: its name (within its space), a reload task its app and schedule.</summary>
    static string Key(string kind, JsonObject doc, Func<string?, string> name) => kind switch
    {
        ResourceKinds.ReloadTasks => $"{kind} of {name(doc.Str("appId"))} {doc["recurrence"]?.ToJsonString()} {doc.Str("timeZone")}",
        ResourceKinds.DataConnections => $"{kind} '{doc.Str("qName")}' in {name(doc.Str("space"))}",
        ResourceKinds.IdentityProviders => $"{kind} '{doc.Str("description")}'",
        _ => $"{kind} '{doc.Str("name")}'" + (doc.Str("spaceId") is { } sp ? $" in {name(sp)}" : ""),
    };

    /// <summary>Every id of the tenant → the words that identify its asset (users keep their ids: they are never deleted here).</summary>
    static Dictionary<string, string> Names(TenantState s)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var x in s.Spaces) names[x.Id] = $"space '{x.Name}'";
        foreach (var a in s.Apps) names[a.Id] = $"app '{a.Name}' in {(a.SpaceId is { } sp ? names.GetValueOrDefault(sp, sp) : $"personal space of {a.OwnerId}")}";
        foreach (var g in s.Groups) names[g.Id] = $"group '{g.Name}'";
        foreach (var t in s.Themes) names[t.Id] = $"theme '{t.Name}'";
        foreach (var (kind, docs) in s.Resources)
            foreach (var doc in docs)
                if (doc.Str(ResourceKinds.IdField(kind)) is { } id && kind is not (ResourceKinds.Reloads or ResourceKinds.ReloadTasks))
                    names[id] = Key(kind, doc, x => x is null ? "null" : names.GetValueOrDefault(x, x));
        return names;
    }

    /// <summary>JSON text with every string that is a known id replaced by its name, object members in name order.</summary>
    static string Names(JsonNode? node, IReadOnlyDictionary<string, string> names) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Names(p.Value, names)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(x => Names(x, names))) + "]",
        JsonValue v when v.TryGetValue<string>(out var str) => JsonSerializer.Serialize(names.GetValueOrDefault(str, str)),
        null => "null",
        _ => node.ToJsonString(),
    };

    static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    static string? Str(this JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
