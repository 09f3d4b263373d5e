using System.Text.Json;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>Reads a live app in the same shape as its recovery point, so the two can be compared part by part.</summary>
internal static class LiveApp
{
    /// <summary>REST resources attached to an app, kept in app points as JSON arrays.</summary>
    public static readonly IReadOnlyList<(string Part, Assets.AssetKind Kind)> AttachedParts =
    [
        (CapturePartNames.ReloadTasks, Assets.AssetKind.ReloadTask),
        (CapturePartNames.DataAlerts, Assets.AssetKind.DataAlert),
        (CapturePartNames.Subscriptions, Assets.AssetKind.Subscription),
    ];

    /// <summary>Object types a restore or promote may destroy when the source lacks them (user content, not Qlik internals).</summary>
    public static readonly IReadOnlySet<string> RemovableTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "sheet", "story", "bookmark", "measure", "dimension", "masterobject", "variable",
    };

    /// <summary>Top-level objects (charts of a sheet are inside its property tree, so they are not listed on their own).</summary>
    public static async Task<IReadOnlyList<(EngineObjectInfo Info, JsonElement Properties)>> TopLevelObjectsAsync(
        EngineSessions.Session session, Func<EngineObjectInfo, bool> include, CancellationToken ct)
    {
        var children = new HashSet<string>(StringComparer.Ordinal);
        var read = new List<(EngineObjectInfo, JsonElement)>();
        // Containers first, so their charts are known as children before anything reads them on their own.
        foreach (var info in (await session.ListAsync(ct)).Where(include).OrderBy(i => IsContainer(i.QType) ? 0 : 1))
        {
            if (info.Class == EngineObjectClass.GenericObject && children.Contains(info.QId)) continue;
            var props = await session.Engine.GetPropertiesAsync(info.Class, info.QId, ct);
            if (info.Class == EngineObjectClass.GenericObject) CollectChildren(props, children);
            read.Add((info, props));
        }
        return read.Where(r => r.Item1.Class != EngineObjectClass.GenericObject || !children.Contains(r.Item1.QId)).ToList();
    }

    static bool IsContainer(string qType) => qType is "sheet" or "story" or "slide" or "masterobject" or "appprops" or "LoadModel" or "container";

    static void CollectChildren(JsonElement entry, HashSet<string> into)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("qChildren", out var kids) || kids.ValueKind != JsonValueKind.Array) return;
        foreach (var kid in kids.EnumerateArray())
        {
            if (JsonTools.GetString(kid, "qProperty", "qInfo", "qId") is { } id) into.Add(id);
            CollectChildren(kid, into);
        }
    }

    /// <summary>qType of an object's properties (qInfo.qType, for a tree in qProperty.qInfo.qType).</summary>
    public static string? QType(JsonElement props)
        => JsonTools.GetString(props, "qProperty", "qInfo", "qType") ?? JsonTools.GetString(props, "qInfo", "qType");

    /// <summary>
    /// The live app as parts: "app", "script", "appprops", every visible top-level object, the private objects of
    /// <paramref name="privateOwners"/> (each read through a session as that user), and attached reload tasks, alerts, subscriptions.
    /// </summary>
    public static async Task<LiveAppContent> ReadAsync(
        EngineSessions sessions, QlikApp app, IEnumerable<string> privateOwners, ResourceListings listings, CancellationToken ct)
    {
        var parts = new Dictionary<string, SnapshotPart>(StringComparer.Ordinal)
        {
            [CapturePartNames.App] = SnapshotPart.OfJson(CapturePartNames.App, app.Raw),
        };
        var infos = new Dictionary<string, EngineObjectInfo>(StringComparer.Ordinal);
        var own = await sessions.GetAsync(app.Id, null, ct);
        parts[CapturePartNames.Script] = SnapshotPart.OfText(await own.Engine.GetScriptAsync(ct));
        parts[CapturePartNames.AppProperties] = SnapshotPart.OfJson(CapturePartNames.AppProperties, await own.Engine.GetAppPropertiesAsync(ct));
        foreach (var (info, props) in await TopLevelObjectsAsync(own, _ => true, ct))
        {
            var name = CapturePartNames.Object(info.Class, info.QId);
            parts[name] = SnapshotPart.OfJson(name, props);
            infos[name] = info;
        }
        foreach (var owner in privateOwners.Distinct(StringComparer.Ordinal))
        {
            var session = await sessions.GetAsync(app.Id, owner, ct);
            foreach (var (info, props) in await TopLevelObjectsAsync(session, i => !i.Published && i.OwnerId == owner, ct))
            {
                var name = CapturePartNames.PrivateObject(owner, info.Class, info.QId);
                parts[name] = SnapshotPart.OfJson(name, props);
                infos[name] = info;
            }
        }
        var attached = new Dictionary<string, IReadOnlyList<QlikResource>>(StringComparer.Ordinal);
        foreach (var (part, kind) in AttachedParts)
        {
            var items = (await listings.ListAsync(ResourceShapes.RestKind(kind)!.Value, ct)).Where(r => IsAttachedTo(r.Raw, app.Id)).ToList();
            attached[part] = items;
            if (items.Count > 0)
                parts[part] = SnapshotPart.OfJson(part, JsonSerializer.SerializeToElement(items.Select(i => i.Raw)));
        }
        return new LiveAppContent(new Snapshot(parts), infos, attached);
    }

    public static bool IsAttachedTo(JsonElement resource, string appId)
        => JsonTools.GetString(resource, "appId") == appId || JsonTools.GetString(resource, "appid") == appId || JsonTools.GetString(resource, "appID") == appId;
}

/// <summary>A live app read for planning or comparison: its parts, the Engine info of each object part, and its attached resources by part.</summary>
internal sealed record LiveAppContent(
    Snapshot Snapshot, IReadOnlyDictionary<string, EngineObjectInfo> Objects, IReadOnlyDictionary<string, IReadOnlyList<QlikResource>> Attached);

/// <summary>Tenant-wide listings read once per plan or execution (users, groups, reload tasks, ...).</summary>
internal sealed class ResourceListings(IQlikRestClient rest)
{
    readonly Dictionary<QlikResourceKind, List<QlikResource>> _lists = [];
    List<QlikSpace>? _spaces;

    public async Task<IReadOnlyList<QlikResource>> ListAsync(QlikResourceKind kind, CancellationToken ct)
    {
        if (_lists.TryGetValue(kind, out var list)) return list;
        list = [];
        await foreach (var r in rest.ListAsync(kind, ct)) list.Add(r);
        return _lists[kind] = list;
    }

    /// <summary>Forget a kind after a write, so the next lookup sees it.</summary>
    public void Invalidate(QlikResourceKind kind) => _lists.Remove(kind);

    public async Task<QlikSpace?> FindSpaceByNameAsync(string name, CancellationToken ct)
        => (await SpacesAsync(ct)).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public async Task<QlikSpace?> FindSpaceAsync(string id, CancellationToken ct) => (await SpacesAsync(ct)).FirstOrDefault(s => s.Id == id);

    async Task<List<QlikSpace>> SpacesAsync(CancellationToken ct)
    {
        if (_spaces is null)
        {
            _spaces = [];
            await foreach (var s in rest.ListSpacesAsync(ct)) _spaces.Add(s);
        }
        return _spaces;
    }

    public void InvalidateSpaces() => _spaces = null;

    /// <summary>
    /// A live resource equal to <paramref name="captured"/> by id, else by its natural key (users by subject, others by name);
    /// ids in the captured document are first mapped through <paramref name="idMap"/> (a recreated space's new id).
    /// </summary>
    public async Task<QlikResource?> FindAsync(Assets.AssetKind kind, string id, JsonElement captured, IReadOnlyDictionary<string, string>? idMap, CancellationToken ct)
    {
        var restKind = ResourceShapes.RestKind(kind)!.Value;
        var all = await ListAsync(restKind, ct);
        var byId = all.FirstOrDefault(r => r.Id == id);
        if (byId is not null) return byId;
        if (idMap is { Count: > 0 }) captured = JsonTools.ToElement(JsonTools.Remap(System.Text.Json.Nodes.JsonNode.Parse(captured.GetRawText()), idMap));
        if (ResourceShapes.NaturalKey(kind, captured) is not { } key) return null;
        return all.FirstOrDefault(r => string.Equals(ResourceShapes.NaturalKey(kind, r.Raw), key, StringComparison.OrdinalIgnoreCase));
    }
}
