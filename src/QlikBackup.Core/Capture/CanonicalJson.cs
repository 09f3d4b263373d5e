using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Canonical JSON: object properties sorted by ordinal name (recursively), array order kept, numbers as Qlik wrote them,
/// no whitespace. The same content always gives the same bytes, so it hashes (and deduplicates) identically however
/// Qlik happened to order the properties.
/// </summary>
public static class CanonicalJson
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    // One instance: serializer options cache their type metadata, so a new instance per call rebuilds it every time.
    static readonly JsonSerializerOptions StringsOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="drop">Properties left out, by name at the top level or by dotted path below it
    /// ("attributes.modifiedDate"): run-time fields that change without the asset changing and cannot be restored.</param>
    public static byte[] Serialize(JsonElement element, IReadOnlySet<string>? drop = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, element, drop, "");
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A JSON array of the elements, each canonical, in the given order.</summary>
    public static byte[] SerializeArray(IEnumerable<JsonElement> elements, IReadOnlySet<string>? drop = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (JsonElement e in elements) Write(writer, e, drop, "");
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A JSON array of strings (reconfiguration lists, notes).</summary>
    public static byte[] SerializeStrings(IEnumerable<string> values)
        => JsonSerializer.SerializeToUtf8Bytes(values.ToArray(), StringsOptions);

    static void Write(Utf8JsonWriter writer, JsonElement element, IReadOnlySet<string>? drop, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty p in element.EnumerateObject()
                    .Where(p => drop is null || !drop.Contains(path + p.Name))
                    .OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(p.Name);
                    Write(writer, p.Value, drop, drop is null ? "" : path + p.Name + ".");
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray()) Write(writer, item, null, "");
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
