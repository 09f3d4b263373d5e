using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace QlikBackup.Qlik.Simulator.Model;

/// <summary>Engine-side class of an app object: which QIX interface (GenericObject, GenericMeasure, ...) serves it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SimObjectClass>))]
public enum SimObjectClass { GenericObject, Measure, Dimension, Bookmark, Variable }

/// <summary>
/// A persisted top-level app object. For <see cref="SimObjectClass.GenericObject"/> <see cref="Properties"/> is a
/// qPropEntry-like tree <c>{"qProperty":{...},"qChildren":[{"qProperty":..,"qChildren":[..]}]}</c>: child objects
/// (charts of a sheet, slides of a story) live only inside their root's tree. For the other classes it is the flat
/// qProp (e.g. <c>{"qInfo":{...},"qMeasure":{...},"qMetaDef":{...}}</c>).
/// </summary>
public sealed class SimulatedObject
{
    public required string Id { get; set; }
    public SimObjectClass ObjectClass { get; set; }
    public required string QType { get; set; }
    /// <summary>User id of the owner; null for app-level things without an owner (variables).</summary>
    public string? OwnerId { get; set; }
    public bool Published { get; set; }
    public bool Approved { get; set; }
    public DateTimeOffset? PublishTime { get; set; }
    public DateTimeOffset CreatedDate { get; set; }
    public DateTimeOffset ModifiedDate { get; set; }
    public JsonObject Properties { get; set; } = [];

    /// <summary>Qlik's rule: an unpublished object is private to its owner; nobody else (not even an admin) sees it.</summary>
    public bool IsVisibleTo(string userId) => Published || OwnerId is null || OwnerId == userId;

    public SimulatedObject DeepClone() => new()
    {
        Id = Id, ObjectClass = ObjectClass, QType = QType, OwnerId = OwnerId, Published = Published, Approved = Approved,
        PublishTime = PublishTime, CreatedDate = CreatedDate, ModifiedDate = ModifiedDate,
        Properties = (JsonObject)Properties.DeepClone(),
    };
}

/// <summary>The engine content of an app: objects, load script, app properties and the (opaque) data model.</summary>
public sealed class SimulatedAppDocument
{
    /// <summary>Top-level objects keyed by qId (ordinal).</summary>
    public Dictionary<string, SimulatedObject> Objects { get; set; } = new(StringComparer.Ordinal);
    public string Script { get; set; } = "";
    /// <summary>NxAppProperties: qTitle, qLastReloadTime, qHasSectionAccess, qUsage, ...</summary>
    public JsonObject AppProperties { get; set; } = [];
    /// <summary>Bytes standing for the app's loaded data (persisted beside the tenant JSON).</summary>
    [JsonIgnore] public byte[] DataPayload { get; set; } = [];

    public IEnumerable<SimulatedObject> VisibleTo(string userId) => Objects.Values.Where(o => o.IsVisibleTo(userId));

    /// <summary>
    /// Every object id in the app including children inside generic-object trees (what Doc.GetAllInfos lists),
    /// with the id of the top-level object that holds it.
    /// </summary>
    public IEnumerable<(string QId, string QType, SimulatedObject Root)> AllInfos(string userId)
    {
        foreach (var root in VisibleTo(userId).OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            if (root.ObjectClass != SimObjectClass.GenericObject)
            {
                yield return (root.Id, root.QType, root);
                continue;
            }
            foreach (var (entry, _) in WalkTree(root.Properties, null))
            {
                var info = entry["qProperty"]?["qInfo"];
                var id = info?["qId"]?.GetValue<string>();
                if (id is not null) yield return (id, info?["qType"]?.GetValue<string>() ?? "", root);
            }
        }
    }

    /// <summary>Finds the qPropEntry node (<c>{qProperty,qChildren}</c>) of <paramref name="qId"/> in any visible tree.</summary>
    public (SimulatedObject Root, JsonObject Entry, JsonObject? ParentEntry)? FindEntry(string qId, string userId)
    {
        foreach (var root in VisibleTo(userId).Where(o => o.ObjectClass == SimObjectClass.GenericObject))
            foreach (var (entry, parent) in WalkTree(root.Properties, null))
                if (entry["qProperty"]?["qInfo"]?["qId"]?.GetValue<string>() == qId)
                    return (root, entry, parent);
        return null;
    }

    private static IEnumerable<(JsonObject Entry, JsonObject? Parent)> WalkTree(JsonObject entry, JsonObject? parent)
    {
        yield return (entry, parent);
        if (entry["qChildren"] is JsonArray children)
            foreach (var child in children.OfType<JsonObject>())
                foreach (var x in WalkTree(child, entry))
                    yield return x;
    }

    public SimulatedAppDocument DeepClone() => new()
    {
        Objects = Objects.ToDictionary(kv => kv.Key, kv => kv.Value.DeepClone(), StringComparer.Ordinal),
        Script = Script,
        AppProperties = (JsonObject)AppProperties.DeepClone(),
        DataPayload = DataPayload,
    };
}
