using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Engine;

// IEngineAppSession operations, each a short sequence of QIX calls run (and retried once after a drop) by RunAsync.
internal sealed partial class EngineAppSession
{
    public Task<IReadOnlyList<EngineObjectInfo>> ListObjectsAsync(CancellationToken ct = default)
        => RunAsync<IReadOnlyList<EngineObjectInfo>>(async (c, _, ct) =>
        {
            var infos = (await CallDocAsync(c, "GetAllInfos", null, ct).ConfigureAwait(false)).GetProperty("qInfos")
                .EnumerateArray().Select(i => (QId: Str(i, "qId") ?? "", QType: Str(i, "qType") ?? "")).Where(i => i.QId.Length > 0).ToList();

            // Which listing returns an object tells its class; qMeta carries owner and publish state.
            var bookmarks = await ListEntriesAsync(c, "GetBookmarks", new JsonObject
            {
                ["qOptions"] = new JsonObject { ["qTypes"] = new JsonArray("bookmark") },
            }, ct).ConfigureAwait(false);
            var variables = await ListEntriesAsync(c, "GetVariables", new JsonObject
            {
                ["qListDef"] = new JsonObject { ["qType"] = "variable", ["qShowReserved"] = false, ["qShowConfig"] = false, ["qShowSession"] = false },
            }, ct).ConfigureAwait(false);
            // Script-defined variables are recreated by the next reload; they are not app objects to back up.
            var scriptVariables = variables.Where(v => v.Value.TryGetProperty("qIsScriptCreated", out var s) && s.ValueKind == JsonValueKind.True)
                .Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
            var otherTypes = infos.Where(i => !bookmarks.ContainsKey(i.QId) && !variables.ContainsKey(i.QId)).Select(i => i.QType).Distinct().ToList();
            var generic = otherTypes.Count == 0
                ? new Dictionary<string, JsonElement>()
                : await ListEntriesAsync(c, "GetObjects", new JsonObject
                {
                    ["qOptions"] = new JsonObject
                    {
                        ["qTypes"] = new JsonArray(otherTypes.Select(t => (JsonNode)t).ToArray()),
                        ["qIncludeSessionObjects"] = false,
                    },
                }, ct).ConfigureAwait(false);

            var result = new List<EngineObjectInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (qId, qType) in infos.Concat(variables.Select(v => (QId: v.Key, QType: "variable"))))
            {
                if (!seen.Add(qId) || scriptVariables.Contains(qId)) continue;
                var cls = bookmarks.ContainsKey(qId) ? EngineObjectClass.Bookmark
                    : variables.ContainsKey(qId) ? EngineObjectClass.Variable
                    : ClassOfType(qType);
                var entry = bookmarks.GetValueOrDefault(qId, variables.GetValueOrDefault(qId, generic.GetValueOrDefault(qId)));
                result.Add(ToInfo(qId, qType, cls, entry));
            }
            return result;
        }, ct);

    /// <summary>A qList answer (GetObjects/GetBookmarks/GetVariables) keyed by qInfo.qId.</summary>
    private async Task<Dictionary<string, JsonElement>> ListEntriesAsync(Connection c, string method, JsonObject parameters, CancellationToken ct)
    {
        var result = await CallDocAsync(c, method, parameters, ct).ConfigureAwait(false);
        var entries = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (result.TryGetProperty("qList", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var entry in list.EnumerateArray())
                if (entry.TryGetProperty("qInfo", out var info) && Str(info, "qId") is { } id)
                    entries[id] = entry;
        return entries;
    }

    private static EngineObjectClass ClassOfType(string qType) => qType switch
    {
        "measure" => EngineObjectClass.Measure,
        "dimension" => EngineObjectClass.Dimension,
        "bookmark" => EngineObjectClass.Bookmark,
        "variable" => EngineObjectClass.Variable,
        _ => EngineObjectClass.GenericObject,
    };

    private static EngineObjectInfo ToInfo(string qId, string qType, EngineObjectClass cls, JsonElement entry)
    {
        var meta = entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("qMeta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        bool Flag(string name) => meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        DateTimeOffset? modified = meta.ValueKind == JsonValueKind.Object && Str(meta, "modifiedDate") is { } text
                                   && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : null;
        var owner = meta.ValueKind == JsonValueKind.Object ? Str(meta, "ownerId") : null;
        return new EngineObjectInfo(qId, qType, cls, owner, Flag("published"), Flag("approved"), modified);
    }

    private static string? Str(JsonElement element, string name)
        => element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public Task<JsonElement> GetPropertiesAsync(EngineObjectClass cls, string qId, CancellationToken ct = default)
        => RunAsync(async (c, _, ct) => cls == EngineObjectClass.GenericObject
            ? (await CallObjectAsync(c, cls, qId, "GetFullPropertyTree", null, ct).ConfigureAwait(false)).GetProperty("qPropEntry")
            : (await CallObjectAsync(c, cls, qId, "GetProperties", null, ct).ConfigureAwait(false)).GetProperty("qProp"), ct);

    /// <summary>
    /// Creates the object with its properties (for a GenericObject: the root via CreateObject, then the whole tree via
    /// SetFullPropertyTree). When a retry follows a drop and the wanted qId now exists, the lost attempt created it:
    /// the retry then writes the properties onto it instead of creating a second copy.
    /// </summary>
    public Task<string> CreateAsync(EngineObjectClass cls, JsonElement properties, CancellationToken ct = default)
    {
        var (entry, root) = Split(cls, properties);
        var wanted = root["qInfo"]?["qId"]?.GetValue<string>();
        return RunAsync(async (c, attempt, ct) =>
        {
            if (attempt > 1 && !string.IsNullOrEmpty(wanted) && await ExistsAsync(c, cls, wanted, ct).ConfigureAwait(false))
            {
                await WritePropertiesAsync(c, cls, wanted, entry, root, ct).ConfigureAwait(false);
                return wanted;
            }
            var result = await CallDocAsync(c, Methods(cls).Create, new JsonObject { ["qProp"] = root.DeepClone() }, ct).ConfigureAwait(false);
            var qId = (result.TryGetProperty("qInfo", out var info) ? Str(info, "qId") : null)
                      ?? (result.TryGetProperty("qReturn", out var r) ? Str(r, "qGenericId") : null)
                      ?? throw new QlikEngineException(QixErrorCodes.InvalidParameters, Methods(cls).Create, "The engine returned no qId for the new object");
            c.Handles[(cls, qId)] = ReturnedHandle(result, qId);
            if (entry is not null && NeedsTree(entry))
                await WritePropertiesAsync(c, cls, qId, entry, root, ct).ConfigureAwait(false);
            return qId;
        }, ct);
    }

    public Task SetPropertiesAsync(EngineObjectClass cls, string qId, JsonElement properties, CancellationToken ct = default)
    {
        var (entry, root) = Split(cls, properties);
        return RunAsync(async (c, _, ct) =>
        {
            await WritePropertiesAsync(c, cls, qId, entry, root, ct).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <summary>A GenericObject's qPropEntry and its root qProperty; for flat classes (or a bare qProperty) entry is null.</summary>
    private static (JsonObject? Entry, JsonObject Root) Split(EngineObjectClass cls, JsonElement properties)
    {
        var node = JsonNode.Parse(properties.GetRawText()) as JsonObject
                   ?? throw new ArgumentException("Properties must be a JSON object.", nameof(properties));
        if (cls == EngineObjectClass.GenericObject && node["qProperty"] is JsonObject rootProperty) return (node, rootProperty);
        return (null, node);
    }

    private static bool NeedsTree(JsonObject entry)
        => entry["qChildren"] is JsonArray { Count: > 0 } || entry["qEmbeddedSnapshotRef"] is JsonObject;

    /// <summary>SetFullPropertyTree for a tree, else SetProperties; the root's qInfo.qId is pinned to the target object.</summary>
    private async Task WritePropertiesAsync(Connection c, EngineObjectClass cls, string qId, JsonObject? entry, JsonObject root, CancellationToken ct)
    {
        var payload = (JsonObject)(entry ?? root).DeepClone();
        var payloadRoot = entry is null ? payload : (JsonObject)payload["qProperty"]!;
        var info = payloadRoot["qInfo"] as JsonObject ?? [];
        info["qId"] = qId;
        payloadRoot["qInfo"] = info;
        if (entry is not null)
            await CallObjectAsync(c, cls, qId, "SetFullPropertyTree", new JsonObject { ["qPropEntry"] = payload }, ct).ConfigureAwait(false);
        else
            await CallObjectAsync(c, cls, qId, "SetProperties", new JsonObject { ["qProp"] = payload }, ct).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(Connection c, EngineObjectClass cls, string qId, CancellationToken ct)
    {
        try
        {
            await HandleOfAsync(c, cls, qId, ct).ConfigureAwait(false);
            return true;
        }
        catch (QlikEngineException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Destroys the object (and, for a sheet or story, its children). False when it did not exist. After a drop the
    /// retry cannot tell whether the lost attempt destroyed it, so it reports true once the object is gone.
    /// </summary>
    public Task<bool> DestroyAsync(EngineObjectClass cls, string qId, CancellationToken ct = default)
        => RunAsync(async (c, attempt, ct) =>
        {
            bool destroyed;
            try
            {
                var result = await CallDocAsync(c, Methods(cls).Destroy, new JsonObject { ["qId"] = qId }, ct).ConfigureAwait(false);
                destroyed = result.TryGetProperty("qSuccess", out var s) && s.ValueKind == JsonValueKind.True;
            }
            catch (QlikEngineException e) when (e.IsNotFound)
            {
                destroyed = false;
            }
            c.Handles.TryRemove((cls, qId), out _);
            return destroyed || attempt > 1;
        }, ct);

    public Task<string> GetScriptAsync(CancellationToken ct = default)
        => RunAsync(async (c, _, ct) => Str(await CallDocAsync(c, "GetScript", null, ct).ConfigureAwait(false), "qScript") ?? "", ct);

    public Task SetScriptAsync(string script, CancellationToken ct = default)
        => CallDocOnlyAsync("SetScript", new JsonObject { ["qScript"] = script }, ct);

    public Task<JsonElement> GetAppPropertiesAsync(CancellationToken ct = default)
        => RunAsync(async (c, _, ct) => (await CallDocAsync(c, "GetAppProperties", null, ct).ConfigureAwait(false)).GetProperty("qProp"), ct);

    public Task SetAppPropertiesAsync(JsonElement properties, CancellationToken ct = default)
        => CallDocOnlyAsync("SetAppProperties", new JsonObject { ["qProp"] = JsonNode.Parse(properties.GetRawText()) }, ct);

    public Task SaveAsync(CancellationToken ct = default) => CallDocOnlyAsync("DoSave", null, ct);

    /// <summary>
    /// Sets an object's publish state with Publish/UnPublish/Approve/UnApprove (GenericObject, Measure, Dimension,
    /// Bookmark; variables have none). Restores use it after recreating published sheets or master items.
    /// </summary>
    public Task SetPublishStateAsync(EngineObjectClass cls, string qId, bool published, bool approved, CancellationToken ct = default)
    {
        if (cls == EngineObjectClass.Variable) throw new NotSupportedException("Variables have no publish state.");
        return RunAsync(async (c, _, ct) =>
        {
            string[] steps = !published ? ["UnPublish"] : approved ? ["Publish", "Approve"] : ["Publish", "UnApprove"];
            foreach (var method in steps) await CallObjectAsync(c, cls, qId, method, null, ct).ConfigureAwait(false);
            return true;
        }, ct);
    }

    private Task CallDocOnlyAsync(string method, JsonObject? parameters, CancellationToken ct)
        => RunAsync((c, _, ct) => CallDocAsync(c, method, parameters, ct), ct);
}
