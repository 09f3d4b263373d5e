using System.Text.Json;
using System.Text.Json.Serialization;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

/// <summary>
/// The "objects" part: owner and publish state of every stored object, which the property JSON does not hold and a QVF
/// import resets. Ordered and without modified dates, so it changes only when ownership or publish state does.
/// </summary>
internal static class ObjectIndex
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    sealed record Entry(string QId, string QType, EngineObjectClass Class, string? OwnerId, bool Published, bool Approved);

    public static byte[] Serialize(IEnumerable<EngineObjectInfo> objects) => JsonSerializer.SerializeToUtf8Bytes(
        objects.DistinctBy(o => (o.Class, o.QId))
            .OrderBy(o => o.Class).ThenBy(o => o.QId, StringComparer.Ordinal)
            .Select(o => new Entry(o.QId, o.QType, o.Class, o.OwnerId, o.Published, o.Approved))
            .ToList(),
        Json);
}
