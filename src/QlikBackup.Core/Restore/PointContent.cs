using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;
using System.Text.Json.Serialization;

namespace QlikBackup.Core.Restore;

/// <summary>The stored parts of one recovery point, read on demand from the content store.</summary>
public sealed class PointContent
{
    readonly IContentStore _store;
    readonly string _tenantId;

    PointContent(IContentStore store, string tenantId, RecoveryPoint point, Manifest manifest)
    {
        _store = store;
        _tenantId = tenantId;
        Point = point;
        Manifest = manifest;
    }

    public RecoveryPoint Point { get; }
    public Manifest Manifest { get; }

    public static async Task<PointContent> LoadAsync(IContentStore store, RecoveryPoint point, CancellationToken ct)
    {
        if (point.Status != RecoveryPointStatus.Captured || point.ManifestRef is null)
        {
            throw new RestoreRequestException(400, "Recovery point has no content",
                $"Point '{point.PointId}' of {point.Kind} '{point.Name ?? point.AssetId}' records that the asset was {point.Status.ToString().ToLowerInvariant()} at {point.CapturedAt:u}; choose an earlier point.");
        }
        var manifest = await store.ReadManifestAsync(point.TenantId, point.ManifestRef, ct);
        return new PointContent(store, point.TenantId, point, manifest);
    }

    public bool Has(string part) => Manifest.Find(part) is not null;

    public IEnumerable<ObjectPartName> Objects => Manifest.Parts.Select(p => ObjectPartName.Parse(p.Name)).OfType<ObjectPartName>();

    public Task<Stream> OpenAsync(string part, CancellationToken ct)
        => _store.OpenReadAsync(_tenantId, Require(part).ContentRef, ct);

    public async Task<byte[]> ReadBytesAsync(string part, CancellationToken ct)
    {
        await using var stream = await OpenAsync(part, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    public async Task<JsonElement> ReadJsonAsync(string part, CancellationToken ct)
    {
        try
        {
            return JsonTools.Parse(await ReadBytesAsync(part, ct));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Part '{part}' of point '{Point.PointId}' is not JSON.", ex);
        }
    }

    public async Task<JsonElement?> TryReadJsonAsync(string part, CancellationToken ct)
        => Has(part) ? await ReadJsonAsync(part, ct) : null;

    public async Task<string> ReadTextAsync(string part, CancellationToken ct) => Encoding.UTF8.GetString(await ReadBytesAsync(part, ct));

    /// <summary>The operator checklist captured with the point (strings, or objects with a "detail").</summary>
    public async Task<IReadOnlyList<string>> ReadReconfigurationAsync(CancellationToken ct)
    {
        if (await TryReadJsonAsync(CapturePartNames.Reconfiguration, ct) is not { ValueKind: JsonValueKind.Array } items) return [];
        return items.EnumerateArray()
            .Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() : JsonTools.GetString(i, "detail") ?? i.GetRawText())
            .OfType<string>()
            .Select(s => $"{Point.Kind} '{Point.Name ?? Point.AssetId}': {s}")
            .ToList();
    }

    /// <summary>
    /// Owner and publish state of each captured object, from the "objects" part (absent in points captured before it existed) (null when the point has none).
    /// Keyed by (class, qId).
    /// </summary>
    public async Task<IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>?> ReadObjectIndexAsync(CancellationToken ct)
    {
        if (!Has(CapturePartNames.Objects)) return null;
        await using var stream = await OpenAsync(CapturePartNames.Objects, ct);
        var infos = await JsonSerializer.DeserializeAsync<List<CapturedObjectInfo>>(stream, IndexJson, ct) ?? [];
        return infos.Where(i => i.QId is not null).GroupBy(i => (i.Class, i.QId!)).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>The app's attributes as captured ("app" part): id, name, description, owner, published, originAppId…; null without the part.
    /// Read once per <see cref="PointContent"/>: a restore asks for several attributes of the same app.</summary>
    public async Task<JsonElement?> ReadAppAttributesAsync(CancellationToken ct)
    {
        if (_appAttributes is { } read) return read.Value;
        JsonElement? attributes = await TryReadJsonAsync(CapturePartNames.App, ct) is { } app
            ? app.TryGetProperty("attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object ? attrs : app
            : null;
        _appAttributes = new(attributes);
        return attributes;
    }

    StrongBox<JsonElement?>? _appAttributes;

    /// <summary>A captured app attribute as text (the "app" part), or null.</summary>
    public async Task<string?> ReadAppAttributeAsync(string name, CancellationToken ct)
        => await ReadAppAttributesAsync(ct) is { } a && a.TryGetProperty(name, out var v)
            ? v.ValueKind switch { JsonValueKind.String => v.GetString() is { Length: > 0 } t ? t : null, JsonValueKind.True => "true", JsonValueKind.False => "false", _ => null }
            : null;

    static readonly JsonSerializerOptions IndexJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Every part as comparable content: JSON parts parsed, the script as text, binary parts by hash.</summary>
    public async Task<Snapshot> ReadSnapshotAsync(CancellationToken ct)
    {
        var parts = new Dictionary<string, SnapshotPart>(StringComparer.Ordinal);
        foreach (var p in Manifest.Parts)
        {
            if (Snapshot.Ignored.Contains(p.Name)) continue;
            parts[p.Name] = p.Name switch
            {
                CapturePartNames.Script => SnapshotPart.OfText(await ReadTextAsync(p.Name, ct)),
                CapturePartNames.Qvf or CapturePartNames.File => new SnapshotPart(null, null, p.Sha256),
                _ => SnapshotPart.OfJson(p.Name, await ReadJsonAsync(p.Name, ct)),
            };
        }
        return new Snapshot(parts);
    }

    ManifestPart Require(string part) => Manifest.Find(part)
        ?? throw new InvalidDataException($"Point '{Point.PointId}' has no part '{part}'.");
}

/// <summary>One entry of the "objects" part: who owned a captured object and whether it was published/approved.</summary>
public sealed record CapturedObjectInfo(string? QId, string? QType, EngineObjectClass Class, string? OwnerId, bool Published, bool Approved);
