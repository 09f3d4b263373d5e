using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;
using static QlikBackup.Qlik.Simulator.Engine.EngineTree;

namespace QlikBackup.Qlik.Simulator.Engine;

// Methods on object handles: GenericObject (property trees) and GenericMeasure/Dimension/Bookmark/Variable (flat).
internal sealed partial class EngineSession
{
    private JsonObject InvokeGenericObject(string qId, string method, RpcParams p) => method switch
    {
        "GetInfo" => ReadEntry(qId, (_, _, entry) => new JsonObject { ["qInfo"] = PropertyOf(entry)["qInfo"]?.DeepClone() }),
        "GetProperties" => ReadEntry(qId, (_, _, entry) => new JsonObject { ["qProp"] = PropertyOf(entry).DeepClone() }),
        "GetFullPropertyTree" => ReadEntry(qId, (_, _, entry) => new JsonObject { ["qPropEntry"] = entry.DeepClone() }),
        "GetLayout" => ReadEntry(qId, (s, root, entry) => new JsonObject { ["qLayout"] = GenericLayout(s, root, entry) }),
        "GetChildInfos" => ReadEntry(qId, (_, _, entry) => new JsonObject
        {
            ["qInfos"] = new JsonArray(((entry["qChildren"] as JsonArray) ?? []).OfType<JsonObject>()
                .Select(c => PropertyOf(c)["qInfo"]?.DeepClone()).ToArray()),
        }),
        "SetProperties" => SetGenericProperties(qId, p.RequiredObject("qProp", 0)),
        "SetFullPropertyTree" => SetFullPropertyTree(qId, p.RequiredObject("qPropEntry", 0)),
        "Publish" or "UnPublish" or "Approve" or "UnApprove" => ChangePublishState(qId, method, doc =>
        {
            var (root, _, parent) = doc.FindEntry(qId, UserId) ?? throw QixError.NotFound(qId);
            // Children follow their sheet/story; only top-level objects carry a publish state.
            return parent is null ? root : throw QixError.InvalidParameters($"'{qId}' is a child object");
        }),
        _ => throw QixError.MethodNotFound(method),
    };

    private JsonObject InvokeFlat(HandleTarget target, string method, RpcParams p)
    {
        var qId = target.QId!;
        return method switch
        {
            "GetInfo" => ReadFlat(target, (_, o) => new JsonObject { ["qInfo"] = Info(o.Id, o.QType) }),
            "GetProperties" => ReadFlat(target, (_, o) => new JsonObject { ["qProp"] = o.Properties.DeepClone() }),
            "GetLayout" => ReadFlat(target, (s, o) => new JsonObject { ["qLayout"] = Layout(s, o, o.Properties) }),
            "SetProperties" => SetFlatProperties(target, p.RequiredObject("qProp", 0)),
            "Publish" or "UnPublish" or "Approve" or "UnApprove" when target.Kind != HandleKind.Variable
                => ChangePublishState(qId, method, doc => FindFlat(doc, target.Kind, qId)),
            _ => throw QixError.MethodNotFound(method),
        };
    }

    private JsonObject ReadEntry(string qId, Func<TenantState, SimulatedObject, JsonObject, JsonObject> read)
        => Read((s, app) => app.Document.FindEntry(qId, UserId) is { } found ? read(s, found.Root, found.Entry) : throw QixError.NotFound(qId));

    private JsonObject ReadFlat(HandleTarget target, Func<TenantState, SimulatedObject, JsonObject> read)
        => Read((s, app) => read(s, FindFlat(app.Document, target.Kind, target.QId!)));

    /// <summary>A minimal layout: the properties (without definitions only the engine evaluates) plus qInfo and qMeta.</summary>
    private JsonObject Layout(TenantState s, SimulatedObject root, JsonObject props)
    {
        var layout = (JsonObject)props.DeepClone();
        layout.Remove("qMetaDef");
        layout["qMeta"] = Meta(s, root, TypeOf(props) ?? root.QType, props, UserId);
        layout["qSelectionInfo"] = new JsonObject();
        return layout;
    }

    private JsonObject GenericLayout(TenantState s, SimulatedObject root, JsonObject entry)
    {
        var layout = Layout(s, root, PropertyOf(entry));
        if (layout.Remove("qChildListDef", out var listDef))
            layout["qChildList"] = new JsonObject
            {
                ["qItems"] = new JsonArray(((entry["qChildren"] as JsonArray) ?? []).OfType<JsonObject>().Select(c => (JsonNode)new JsonObject
                {
                    ["qInfo"] = PropertyOf(c)["qInfo"]?.DeepClone(),
                    ["qData"] = EvaluateData(listDef?["qData"], PropertyOf(c)),
                }).ToArray()),
            };
        return layout;
    }

    /// <summary>Properties keep the object's qId; the qType may change (as QIX allows, e.g. a chart switching type).</summary>
    private static void PinInfo(JsonObject qProp, string qId, string existingType)
        => qProp["qInfo"] = Info(qId, TypeOf(qProp) is { Length: > 0 } t ? t : existingType);

    private JsonObject SetGenericProperties(string qId, JsonObject qProp)
    {
        Write((app, doc) =>
        {
            var (root, entry, parent) = doc.FindEntry(qId, UserId) ?? throw QixError.NotFound(qId);
            RequireWrite(app, root);
            PinInfo(qProp, qId, TypeOf(PropertyOf(entry)) ?? "");
            entry["qProperty"] = qProp;
            if (parent is null) root.QType = TypeOf(qProp)!;
            root.ModifiedDate = Now;
            return 0;
        });
        MarkChanged([qId]);
        return new JsonObject();
    }

    /// <summary>
    /// Replaces the object and its whole subtree. Children keep their qIds unless another object of the app already
    /// uses them (then they get new ones, as when QIX creates a child); children left out of the tree are destroyed.
    /// </summary>
    private JsonObject SetFullPropertyTree(string qId, JsonObject qPropEntry)
    {
        if (qPropEntry["qProperty"] is not JsonObject rootProp) throw QixError.InvalidParams("'qPropEntry.qProperty' is required");
        var (oldIds, newIds) = Write((app, doc) =>
        {
            var (root, entry, parent) = doc.FindEntry(qId, UserId) ?? throw QixError.NotFound(qId);
            RequireWrite(app, root);
            var oldIds = Entries(entry).Select(EntryId).OfType<string>().ToList();
            var taken = AllIds(doc);
            taken.ExceptWith(oldIds);
            PinInfo(rootProp, qId, TypeOf(PropertyOf(entry)) ?? "");
            taken.Add(qId);
            foreach (var child in Entries(qPropEntry).Skip(1))
            {
                if (child["qProperty"] is not JsonObject childProp) throw QixError.InvalidParams("every entry of 'qChildren' needs 'qProperty'");
                var childId = IdOf(childProp) is { Length: > 0 } wanted && taken.Add(wanted) ? wanted : NewFreeId(taken);
                childProp["qInfo"] = Info(childId, TypeOf(childProp) ?? "");
            }
            if (qPropEntry["qChildren"] is null) qPropEntry["qChildren"] = new JsonArray();
            if (parent is null)
            {
                root.Properties = qPropEntry;
                root.QType = TypeOf(rootProp)!;
            }
            else
            {
                var siblings = (JsonArray)parent["qChildren"]!;
                siblings[siblings.IndexOf(entry)] = qPropEntry;
            }
            root.ModifiedDate = Now;
            return (oldIds, Entries(qPropEntry).Select(EntryId).OfType<string>().ToList());
        });
        MarkClosed(oldIds.Except(newIds));
        MarkChanged(newIds);
        return new JsonObject();
    }

    private JsonObject SetFlatProperties(HandleTarget target, JsonObject qProp)
    {
        Write((app, doc) =>
        {
            var o = FindFlat(doc, target.Kind, target.QId!);
            RequireWrite(app, o);
            if (target.Kind == HandleKind.Variable) RequireFreeVariableName(doc, qProp, o.Id);
            PinInfo(qProp, o.Id, o.QType);
            o.Properties = qProp;
            o.ModifiedDate = Now;
            return 0;
        });
        MarkChanged([target.QId!]);
        return new JsonObject();
    }

    /// <summary>Publish/UnPublish/Approve/UnApprove on a top-level object (owner, or someone who may edit the app).</summary>
    private JsonObject ChangePublishState(string qId, string method, Func<SimulatedAppDocument, SimulatedObject> find)
    {
        Write((app, doc) =>
        {
            var o = find(doc);
            RequireWrite(app, o);
            switch (method)
            {
                case "Publish":
                    o.Published = true;
                    o.PublishTime = Now;
                    break;
                case "UnPublish":
                    o.Published = false;
                    o.Approved = false;
                    o.PublishTime = null;
                    break;
                case "Approve":
                    if (!o.Published) throw QixError.InvalidParameters($"'{qId}' must be published before it is approved");
                    o.Approved = true;
                    break;
                default:
                    o.Approved = false;
                    break;
            }
            o.ModifiedDate = Now;
            return 0;
        });
        MarkChanged([qId]);
        return new JsonObject();
    }
}
