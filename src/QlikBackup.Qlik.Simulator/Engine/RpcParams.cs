using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>
/// The <c>params</c> of a QIX request. QIX accepts them by name (object) or by position (array, in the order of
/// the method's definition), so every accessor names both.
/// </summary>
internal sealed class RpcParams(JsonNode? raw)
{
    public JsonNode? Get(string name, int position) => raw switch
    {
        JsonObject o => o[name],
        JsonArray a => position < a.Count ? a[position] : null,
        _ => null,
    };

    public string RequiredString(string name, int position)
        => OptionalString(name, position) ?? throw QixError.InvalidParams($"'{name}' is required and must be a string");

    public string? OptionalString(string name, int position) => Get(name, position) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw QixError.InvalidParams($"'{name}' must be a string"),
    };

    public bool? OptionalBool(string name, int position) => Get(name, position) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw QixError.InvalidParams($"'{name}' must be a boolean"),
    };

    /// <summary>A required object parameter, deep-cloned so the caller may store it.</summary>
    public JsonObject RequiredObject(string name, int position)
        => OptionalObject(name, position) ?? throw QixError.InvalidParams($"'{name}' is required and must be an object");

    public JsonObject? OptionalObject(string name, int position) => Get(name, position) switch
    {
        null => null,
        JsonObject o => (JsonObject)o.DeepClone(),
        _ => throw QixError.InvalidParams($"'{name}' must be an object"),
    };
}
