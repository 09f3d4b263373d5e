using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>Helpers over the model's objects: qPropEntry trees, ids, qMeta, qData templates.</summary>
internal static class EngineTree
{
    /// <summary>The entry and all its descendants (qPropEntry nodes), depth first.</summary>
    public static IEnumerable<JsonObject> Entries(JsonObject entry)
    {
        yield return entry;
        if (entry["qChildren"] is JsonArray children)
            foreach (var child in children.OfType<JsonObject>())
                foreach (var e in Entries(child))
                    yield return e;
    }

    public static string? IdOf(JsonObject props) => props["qInfo"]?["qId"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    public static string? TypeOf(JsonObject props) => props["qInfo"]?["qType"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    public static JsonObject PropertyOf(JsonObject entry) => entry["qProperty"] as JsonObject ?? [];
    public static string? EntryId(JsonObject entry) => IdOf(PropertyOf(entry));

    /// <summary>Every qId in use in the document, whoever owns it (a new object may not take any of them).</summary>
    public static HashSet<string> AllIds(SimulatedAppDocument doc)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in doc.Objects.Values)
        {
            ids.Add(o.Id);
            if (o.ObjectClass == SimObjectClass.GenericObject)
                foreach (var e in Entries(o.Properties))
                    if (EntryId(e) is { } id) ids.Add(id);
        }
        return ids;
    }

    /// <summary>qMeta as GetObjects/GetLayout report it: the qMetaDef values plus owner, publish state and dates.</summary>
    public static JsonObject Meta(TenantState s, SimulatedObject root, string qType, JsonObject props, string userId)
    {
        var meta = new JsonObject();
        if (props["qMetaDef"] is JsonObject def)
            foreach (var (k, v) in def) meta[k] = v?.DeepClone();
        meta["createdDate"] = Api.Http.Fmt(root.CreatedDate);
        meta["modifiedDate"] = Api.Http.Fmt(root.ModifiedDate);
        meta["published"] = root.Published;
        meta["approved"] = root.Approved;
        if (root.PublishTime is { } pt) meta["publishTime"] = Api.Http.Fmt(pt);
        if (root.OwnerId is { } ownerId)
        {
            meta["owner"] = s.FindUser(ownerId)?.Subject;
            meta["ownerId"] = ownerId;
        }
        var mine = root.OwnerId is null || root.OwnerId == userId;
        meta["privileges"] = mine
            ? new JsonArray("read", "update", "delete", "publish", "exportdata")
            : new JsonArray("read", "exportdata");
        meta["_resourcetype"] = "app.object";
        meta["_objecttype"] = qType;
        return meta;
    }

    /// <summary>
    /// Evaluates a qData template (as in NxGetObjectOptions.qData): string values that start with "/" are paths into
    /// the object's properties; everything else is copied.
    /// </summary>
    public static JsonNode? EvaluateData(JsonNode? template, JsonObject props) => template switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, EvaluateData(kv.Value, props)))),
        JsonValue v when v.TryGetValue<string>(out var path) && path.StartsWith('/') => Resolve(props, path)?.DeepClone(),
        _ => template?.DeepClone(),
    };

    private static JsonNode? Resolve(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        return node;
    }
}
