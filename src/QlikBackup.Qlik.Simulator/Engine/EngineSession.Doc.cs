using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;
using static QlikBackup.Qlik.Simulator.Engine.EngineTree;

namespace QlikBackup.Qlik.Simulator.Engine;

// Doc (handle 1) methods: enumerate, get/create/destroy objects of every class, script, app properties, DoSave.
internal sealed partial class EngineSession
{
    private JsonObject InvokeDoc(string method, RpcParams p) => method switch
    {
        "GetAllInfos" => Read((_, app) => new JsonObject
        {
            ["qInfos"] = new JsonArray(app.Document.AllInfos(UserId).Select(i => (JsonNode)Info(i.QId, i.QType)).ToArray()),
        }),
        "GetObjects" => ListEntries(p.RequiredObject("qOptions", 0), _ => true),
        "GetBookmarks" => ListEntries(p.RequiredObject("qOptions", 0), o => o.ObjectClass == SimObjectClass.Bookmark),
        "GetVariables" => GetVariables(p.RequiredObject("qListDef", 0)),
        "GetObject" => GetGenericObject(p.RequiredString("qId", 0)),
        "GetMeasure" => GetFlat(HandleKind.Measure, p.RequiredString("qId", 0)),
        "GetDimension" => GetFlat(HandleKind.Dimension, p.RequiredString("qId", 0)),
        "GetBookmark" => GetFlat(HandleKind.Bookmark, p.RequiredString("qId", 0)),
        "GetVariableById" => GetFlat(HandleKind.Variable, p.RequiredString("qId", 0)),
        "GetVariableByName" => GetVariableByName(p.RequiredString("qName", 0)),
        "CreateObject" => Create(HandleKind.GenericObject, p.RequiredObject("qProp", 0)),
        "CreateMeasure" => Create(HandleKind.Measure, p.RequiredObject("qProp", 0)),
        "CreateDimension" => Create(HandleKind.Dimension, p.RequiredObject("qProp", 0)),
        "CreateBookmark" or "CreateBookmarkEx" => Create(HandleKind.Bookmark, p.RequiredObject("qProp", 0)),
        "CreateVariableEx" => Create(HandleKind.Variable, p.RequiredObject("qProp", 0)),
        "DestroyObject" => Destroy(HandleKind.GenericObject, p.RequiredString("qId", 0)),
        "DestroyMeasure" => Destroy(HandleKind.Measure, p.RequiredString("qId", 0)),
        "DestroyDimension" => Destroy(HandleKind.Dimension, p.RequiredString("qId", 0)),
        "DestroyBookmark" => Destroy(HandleKind.Bookmark, p.RequiredString("qId", 0)),
        "DestroyVariableById" => Destroy(HandleKind.Variable, p.RequiredString("qId", 0)),
        "GetScript" => Read((_, app) => new JsonObject { ["qScript"] = app.Document.Script }),
        "SetScript" => SetScript(p.RequiredString("qScript", 0)),
        "GetAppProperties" => Read((_, app) => new JsonObject { ["qProp"] = app.Document.AppProperties.DeepClone() }),
        "SetAppProperties" => SetAppProperties(p.RequiredObject("qProp", 0)),
        "DoSave" => Write((_, _) => new JsonObject()),
        _ => throw QixError.MethodNotFound(method),
    };

    private static JsonObject Info(string qId, string qType) => new() { ["qId"] = qId, ["qType"] = qType };

    private static SimObjectClass ClassOf(HandleKind kind) => kind switch
    {
        HandleKind.GenericObject => SimObjectClass.GenericObject,
        HandleKind.Measure => SimObjectClass.Measure,
        HandleKind.Dimension => SimObjectClass.Dimension,
        HandleKind.Bookmark => SimObjectClass.Bookmark,
        HandleKind.Variable => SimObjectClass.Variable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private T Read<T>(Func<TenantState, SimApp, T> read)
        => tenant.Read(s => read(s, s.FindApp(appId) ?? throw new KeyNotFoundException(appId)));

    /// <summary>A change to the app document: bumps modifiedDate and records the app-saved audit event (only if it succeeds).</summary>
    private T Write<T>(Func<SimApp, SimulatedAppDocument, T> write) => tenant.UpdateAppDocument(appId, actor, write);

    private DateTimeOffset Now => tenant.Time.GetUtcNow();

    /// <summary>The properties of an object as listed: the qProperty of a (possibly child) generic entry, or the flat qProp.</summary>
    private static JsonObject ListedProperties(SimulatedObject root, string qId)
        => root.ObjectClass == SimObjectClass.GenericObject
            ? PropertyOf(Entries(root.Properties).First(e => EntryId(e) == qId))
            : root.Properties;

    private JsonObject ListEntries(JsonObject options, Func<SimulatedObject, bool> include)
    {
        var types = (options["qTypes"] as JsonArray)?.Select(t => t?.GetValue<string>()).OfType<string>().ToHashSet() ?? [];
        var data = options["qData"];
        return Read((s, app) =>
        {
            var list = new JsonArray();
            foreach (var (qId, qType, root) in app.Document.AllInfos(UserId))
            {
                if (!include(root) || (types.Count > 0 && !types.Contains(qType))) continue;
                var props = ListedProperties(root, qId);
                list.Add(new JsonObject
                {
                    ["qInfo"] = Info(qId, qType),
                    ["qMeta"] = Meta(s, root, qType, props, UserId),
                    ["qData"] = data is null ? new JsonObject() : EvaluateData(data, props),
                });
            }
            return new JsonObject { ["qList"] = list };
        });
    }

    private JsonObject GetVariables(JsonObject listDef)
    {
        var data = listDef["qData"];
        return Read((s, app) => new JsonObject
        {
            ["qList"] = new JsonArray(app.Document.VisibleTo(UserId)
                .Where(o => o.ObjectClass == SimObjectClass.Variable)
                .OrderBy(o => o.Id, StringComparer.Ordinal)
                .Select(o => (JsonNode)new JsonObject
                {
                    ["qName"] = o.Properties["qName"]?.DeepClone(),
                    ["qDefinition"] = o.Properties["qDefinition"]?.DeepClone(),
                    ["qDescription"] = o.Properties["qComment"]?.DeepClone(),
                    ["qIsScriptCreated"] = false,
                    ["qInfo"] = Info(o.Id, o.QType),
                    ["qMeta"] = Meta(s, o, o.QType, o.Properties, UserId),
                    ["qData"] = data is null ? new JsonObject() : EvaluateData(data, o.Properties),
                }).ToArray()),
        });
    }

    private JsonObject GetGenericObject(string qId)
    {
        var qType = Read((_, app) => app.Document.FindEntry(qId, UserId) is { } found
            ? TypeOf(PropertyOf(found.Entry)) ?? ""
            : throw QixError.NotFound(qId));
        return OpenHandle(HandleKind.GenericObject, qId, qType);
    }

    /// <summary>A visible top-level object of the class (measure, dimension, bookmark, variable), or "not found".</summary>
    private SimulatedObject FindFlat(SimulatedAppDocument doc, HandleKind kind, string qId)
        => doc.Objects.TryGetValue(qId, out var o) && o.ObjectClass == ClassOf(kind) && o.IsVisibleTo(UserId)
            ? o
            : throw QixError.NotFound(qId);

    private JsonObject GetFlat(HandleKind kind, string qId)
        => OpenHandle(kind, qId, Read((_, app) => FindFlat(app.Document, kind, qId).QType));

    private JsonObject GetVariableByName(string name)
    {
        var (id, type) = Read((_, app) => FindVariableByName(app.Document, name) is { } v ? (v.Id, v.QType) : throw QixError.NotFound(name));
        return OpenHandle(HandleKind.Variable, id, type);
    }

    private static SimulatedObject? FindVariableByName(SimulatedAppDocument doc, string name)
        => doc.Objects.Values.FirstOrDefault(o => o.ObjectClass == SimObjectClass.Variable
                                                  && string.Equals(o.Properties["qName"]?.GetValue<string>(), name, StringComparison.OrdinalIgnoreCase));

    private static string DefaultType(HandleKind kind) => kind switch
    {
        HandleKind.Measure => "measure",
        HandleKind.Dimension => "dimension",
        HandleKind.Bookmark => "bookmark",
        HandleKind.Variable => "variable",
        _ => "",
    };

    /// <summary>
    /// Create* methods: the object keeps qInfo.qId when no object of the app uses it yet, else gets a new id (as QIX).
    /// Generic objects and bookmarks may be created by anyone who can open the app (they start private to the creator);
    /// master items and variables need edit rights on the app.
    /// </summary>
    private JsonObject Create(HandleKind kind, JsonObject qProp)
    {
        var qType = TypeOf(qProp) ?? DefaultType(kind);
        if (qType.Length == 0) throw QixError.InvalidParameters("qProp.qInfo.qType is required");
        var cls = ClassOf(kind);
        var id = Write((app, doc) =>
        {
            if (kind is HandleKind.Measure or HandleKind.Dimension or HandleKind.Variable) RequireEditApp(app);
            if (kind == HandleKind.Variable) RequireFreeVariableName(doc, qProp, null);
            var ids = AllIds(doc);
            var id = IdOf(qProp) is { Length: > 0 } wanted && !ids.Contains(wanted) ? wanted : NewFreeId(ids);
            qProp["qInfo"] = Info(id, qType);
            var now = Now;
            doc.Objects[id] = new SimulatedObject
            {
                Id = id, ObjectClass = cls, QType = qType, OwnerId = kind == HandleKind.Variable ? null : UserId,
                CreatedDate = now, ModifiedDate = now,
                Properties = kind == HandleKind.GenericObject ? new JsonObject { ["qProperty"] = qProp, ["qChildren"] = new JsonArray() } : qProp,
            };
            return id;
        });
        var result = OpenHandle(kind, id, qType);
        result["qInfo"] = Info(id, qType);
        return result;
    }

    private static string NewFreeId(HashSet<string> taken)
    {
        string id;
        do id = Ids.NewObjectId(); while (taken.Contains(id));
        taken.Add(id);
        return id;
    }

    private void RequireFreeVariableName(SimulatedAppDocument doc, JsonObject qProp, string? ownId)
    {
        var name = qProp["qName"] is JsonValue v && v.TryGetValue<string>(out var n) && !string.IsNullOrWhiteSpace(n) ? n : throw QixError.VariableNoName();
        if (FindVariableByName(doc, name) is { } other && other.Id != ownId) throw QixError.VariableDuplicateName(name);
    }

    private void RequireEditApp(SimApp app)
    {
        if (!Access.CanEditApp(tenant.State, actor, app)) throw QixError.AccessDenied(app.Id);
    }

    /// <summary>Changing an object needs ownership, or edit rights on the app for objects of others and ownerless ones.</summary>
    private void RequireWrite(SimApp app, SimulatedObject root)
    {
        if (root.OwnerId != UserId) RequireEditApp(app);
    }

    private JsonObject Destroy(HandleKind kind, string qId)
    {
        try
        {
            var removed = Write((app, doc) =>
            {
                if (kind != HandleKind.GenericObject)
                {
                    RequireWrite(app, FindFlat(doc, kind, qId));
                    doc.Objects.Remove(qId);
                    return [qId];
                }
                var (root, entry, parent) = doc.FindEntry(qId, UserId) ?? throw QixError.NotFound(qId);
                RequireWrite(app, root);
                var ids = Entries(entry).Select(EntryId).OfType<string>().ToList();
                if (parent is null) doc.Objects.Remove(root.Id);
                else
                {
                    ((JsonArray)parent["qChildren"]!).Remove(entry);
                    root.ModifiedDate = Now;
                }
                return ids;
            });
            MarkClosed(removed);
            return new JsonObject { ["qSuccess"] = true };
        }
        catch (QixError e) when (e.Code == 2)
        {
            return new JsonObject { ["qSuccess"] = false };
        }
    }

    private JsonObject SetScript(string script) => Write((app, doc) =>
    {
        RequireEditApp(app);
        doc.Script = script;
        // Keep /apps/{id}/scripts in step: the script history gets the new version.
        app.ScriptVersions.Add(new SimScriptVersion { ScriptId = Ids.NewObjectId(), Script = script, ModifiedTime = Now, ModifierId = UserId });
        return new JsonObject();
    });

    /// <summary>Values the engine maintains itself; SetAppProperties cannot change them.</summary>
    private static readonly string[] EngineOwnedAppProperties = ["qLastReloadTime", "qMigrationHash", "qSavedInProductVersion", "qHasSectionAccess"];

    private JsonObject SetAppProperties(JsonObject qProp) => Write((app, doc) =>
    {
        RequireEditApp(app);
        foreach (var key in EngineOwnedAppProperties)
        {
            qProp.Remove(key);
            if (doc.AppProperties[key] is { } kept) qProp[key] = kept.DeepClone();
        }
        doc.AppProperties = qProp;
        // The app's name in the REST API is the engine's qTitle.
        if (qProp["qTitle"] is JsonValue t && t.TryGetValue<string>(out var title) && !string.IsNullOrWhiteSpace(title)) app.Name = title;
        return new JsonObject();
    });
}
