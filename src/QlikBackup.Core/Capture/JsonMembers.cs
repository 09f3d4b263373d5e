using System.Text.Json;

namespace QlikBackup.Core.Capture;

/// <summary>Reading members of Qlik's JSON documents, whose shapes vary per service.</summary>
internal static class JsonMembers
{
    /// <summary>The string member <paramref name="name"/> of an object; null when absent, not a string, or not an object.</summary>
    public static string? Str(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
