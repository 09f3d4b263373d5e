using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>The JSON Patch subset Qlik's PATCH endpoints take: <c>[{op: add|replace|remove, path: "/a/b", value}]</c>.</summary>
public static class JsonPatch
{
    /// <summary>Parses a patch document (an array, or an object wrapping it as <c>patchData</c>/<c>patch</c>).</summary>
    public static IReadOnlyList<(string Op, string Path, JsonNode? Value)> Parse(JsonNode body)
    {
        var array = body switch
        {
            JsonArray a => a,
            JsonObject o when o["patchData"] is JsonArray a => a,
            JsonObject o when o["patch"] is JsonArray a => a,
            _ => throw QlikApiException.BadRequest("A PATCH body must be a JSON Patch array of {op, path, value}."),
        };
        var ops = new List<(string, string, JsonNode?)>();
        foreach (var item in array)
        {
            var op = item.Str("op")?.ToLowerInvariant();
            var path = item.Str("path");
            if (op is not ("add" or "replace" or "remove") || string.IsNullOrEmpty(path))
                throw QlikApiException.BadRequest("Each patch operation needs op (add, replace, remove) and a path.");
            // Qlik's groups spec enumerates paths without the leading '/' ("assignedRoles") while its example has one.
            if (!path.StartsWith('/')) path = "/" + path;
            if (op != "remove" && item is JsonObject io && !io.ContainsKey("value"))
                throw QlikApiException.BadRequest($"Patch operation '{op}' on '{path}' needs a value.");
            ops.Add((op, path, item?["value"]?.DeepClone()));
        }
        return ops;
    }

    /// <summary>Applies operations whose top-level path segment is in <paramref name="allowed"/> (else 400).</summary>
    public static void Apply(JsonObject target, IReadOnlyList<(string Op, string Path, JsonNode? Value)> ops, IReadOnlyCollection<string> allowed)
    {
        foreach (var (op, path, value) in ops)
        {
            var segments = path[1..].Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            if (!allowed.Contains(segments[0]))
                throw QlikApiException.BadRequest($"Path '{path}' cannot be patched.");
            var parent = target;
            foreach (var seg in segments[..^1])
            {
                if (parent[seg] is not JsonObject next) parent[seg] = next = [];
                parent = next;
            }
            var last = segments[^1];
            if (op == "remove") parent.Remove(last);
            else parent[last] = value?.DeepClone();
        }
    }
}
