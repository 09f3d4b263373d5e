using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QlikBackup.Core.Restore;

/// <summary>JSON helpers for restore: equality, path-level diffs, stripping read-only fields and remapping ids.</summary>
public static class JsonTools
{
    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Structural equality: property order is ignored, numbers compare by value.</summary>
    public static bool SameContent(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);

    /// <summary>The differences from <paramref name="left"/> to <paramref name="right"/> as JSON paths ($.a.b[2]).</summary>
    public static IReadOnlyList<JsonChange> Diff(JsonElement left, JsonElement right)
    {
        var changes = new List<JsonChange>();
        Diff("$", left, right, changes);
        return changes;
    }

    static void Diff(string path, JsonElement l, JsonElement r, List<JsonChange> changes)
    {
        if (l.ValueKind == JsonValueKind.Object && r.ValueKind == JsonValueKind.Object)
        {
            var right = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in r.EnumerateObject()) right[p.Name] = p.Value;
            foreach (var p in l.EnumerateObject())
            {
                string child = Member(path, p.Name);
                if (right.Remove(p.Name, out var rv)) Diff(child, p.Value, rv, changes);
                else changes.Add(new JsonChange(child, p.Value.GetRawText(), null));
            }
            foreach (var (name, value) in right) changes.Add(new JsonChange(Member(path, name), null, value.GetRawText()));
            return;
        }
        if (l.ValueKind == JsonValueKind.Array && r.ValueKind == JsonValueKind.Array)
        {
            int ln = l.GetArrayLength(), rn = r.GetArrayLength();
            for (int i = 0; i < Math.Max(ln, rn); i++)
            {
                string child = $"{path}[{i}]";
                if (i >= ln) changes.Add(new JsonChange(child, null, r[i].GetRawText()));
                else if (i >= rn) changes.Add(new JsonChange(child, l[i].GetRawText(), null));
                else Diff(child, l[i], r[i], changes);
            }
            return;
        }
        if (!JsonElement.DeepEquals(l, r)) changes.Add(new JsonChange(path, l.GetRawText(), r.GetRawText()));
    }

    static string Member(string path, string name)
        => name.All(c => char.IsLetterOrDigit(c) || c == '_') && name.Length > 0 ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'")}']";

    /// <summary>A copy of <paramref name="doc"/> without the named top-level properties (read-only fields such as id, createdAt).</summary>
    public static JsonObject Without(JsonElement doc, IEnumerable<string> readOnly)
    {
        var node = JsonNode.Parse(doc.GetRawText()) as JsonObject ?? throw new InvalidDataException("Expected a JSON object.");
        foreach (string name in readOnly) node.Remove(name);
        return node;
    }

    /// <summary>Replaces every string value equal to an old id by its new id (apps, spaces, connections, ... recreated by this restore).</summary>
    public static JsonNode? Remap(JsonNode? node, IReadOnlyDictionary<string, string> idMap)
    {
        if (idMap.Count == 0 || node is null) return node;
        if (Mapped(node, idMap) is { } value) return value;
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    // A node can only be re-attached once detached, so values are replaced and containers changed in place.
                    if (Mapped(o[key], idMap) is { } v) o[key] = v;
                    else Remap(o[key], idMap);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    if (Mapped(a[i], idMap) is { } v) a[i] = v;
                    else Remap(a[i], idMap);
                }
                break;
        }
        return node;
    }

    static JsonValue? Mapped(JsonNode? node, IReadOnlyDictionary<string, string> idMap)
        => node is JsonValue v && v.GetValueKind() == JsonValueKind.String && idMap.TryGetValue(v.GetValue<string>(), out var mapped)
            ? JsonValue.Create(mapped)
            : null;

    /// <summary>A copy of the object <paramref name="doc"/> with one member set.</summary>
    public static JsonElement With(JsonElement doc, string name, JsonNode? value)
    {
        var o = JsonNode.Parse(doc.GetRawText())!.AsObject();
        o[name] = value;
        return ToElement(o);
    }

    public static JsonElement ToElement(JsonNode? node) => JsonSerializer.SerializeToElement(node, Compact);

    public static JsonElement Parse(byte[] utf8)
    {
        using var doc = JsonDocument.Parse(utf8);
        return doc.RootElement.Clone();
    }

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public static string? GetString(JsonElement e, params string[] path)
    {
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e)) return null;
        }
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    public static bool GetBool(JsonElement e, params string[] path) => GetString(e, path) == "true";

    /// <summary>Text of a JSON value for human messages, shortened.</summary>
    public static string Short(string? json, int max = 80)
        => json is null ? "(absent)" : json.Length <= max ? json : json[..max] + "…";

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
