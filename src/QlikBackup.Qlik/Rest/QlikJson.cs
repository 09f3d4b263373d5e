using System.Globalization;
using System.Text.Json;

namespace QlikBackup.Qlik.Rest;

/// <summary>Tolerant readers for Qlik's JSON: services disagree on member names and on string vs number.</summary>
internal static class QlikJson
{
    public static string? Str(JsonElement e, params ReadOnlySpan<string> names)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        foreach (var name in names)
        {
            if (!e.TryGetProperty(name, out var v)) continue;
            switch (v.ValueKind)
            {
                case JsonValueKind.String:
                    var s = v.GetString();
                    if (!string.IsNullOrEmpty(s)) return s;
                    break;
                case JsonValueKind.Number:
                    return v.GetRawText();
            }
        }
        return null;
    }

    public static DateTimeOffset? Date(JsonElement e, params ReadOnlySpan<string> names)
    {
        var s = Str(e, names);
        return s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
    }

    public static bool Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static long? Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    public static JsonElement Obj(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    public static IReadOnlyList<string> Strings(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
}
