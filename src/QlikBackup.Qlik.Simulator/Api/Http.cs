using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Small helpers shared by the REST handlers.</summary>
public static class Http
{
    internal const string ActorKey = "qlik-sim-actor";

    /// <summary>The authenticated caller (set by the auth middleware for every /api request).</summary>
    public static SimulatedActor Actor(this HttpContext context)
        => context.Items[ActorKey] as SimulatedActor ?? throw new QlikApiException(401, "HTTP-401", "Unauthorized", "Not authenticated.");

    /// <summary>
    /// The body's bytes. With a Content-Length they are read into one array of that size: a growing MemoryStream and its
    /// copy would hold three times a GiB-sized QVF.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(this HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        if (request.ContentLength is { } length && length <= Array.MaxLength)
        {
            var bytes = new byte[length];
            await request.Body.ReadExactlyAsync(bytes, ct);
            return bytes;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>Reads the body as a JSON object; malformed or non-object JSON is a 400 as in Qlik.</summary>
    public static async Task<JsonObject> ReadJsonObjectAsync(this HttpRequest request)
        => await request.ReadJsonAsync() as JsonObject ?? throw QlikApiException.BadRequest("The request body must be a JSON object.");

    public static async Task<JsonNode> ReadJsonAsync(this HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node ?? throw QlikApiException.BadRequest("The request body is empty.");
        }
        catch (JsonException e)
        {
            throw QlikApiException.BadRequest($"Malformed JSON in request body: {e.Message}");
        }
    }

    public static string? Query(this HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public static bool? QueryBool(this HttpRequest request, string name)
    {
        var value = request.Query(name);
        if (value is null) return null;
        return bool.TryParse(value, out var b) ? b : throw QlikApiException.BadRequest($"Query parameter '{name}' must be true or false.");
    }

    public static string Fmt(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    public static string? Fmt(DateTimeOffset? value) => value is { } v ? Fmt(v) : null;

    public static string Href(this HttpRequest request, string path) => $"{request.Scheme}://{request.Host}{path}";

    public static JsonObject SelfLink(this HttpRequest request, string path) => new() { ["self"] = new JsonObject { ["href"] = request.Href(path) } };

    /// <summary>Output options: no HTML-escaping of '&amp;' etc. in links, as Qlik's services write them.</summary>
    public static readonly JsonSerializerOptions OutputOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Json(JsonNode node, int status = StatusCodes.Status200OK)
        => Results.Text(node.ToJsonString(OutputOptions), "application/json", System.Text.Encoding.UTF8, status);

    public static string RequiredString(this JsonObject body, string name)
        => body[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
            ? s
            : throw QlikApiException.BadRequest($"'{name}' is required and must be a non-empty string.");

    public static string? OptionalString(this JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw QlikApiException.BadRequest($"'{name}' must be a string."),
    };

    public static bool? OptionalBool(this JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw QlikApiException.BadRequest($"'{name}' must be a boolean."),
    };

    public static List<string>? OptionalStrings(this JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonArray a when a.All(x => x is JsonValue v && v.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToList(),
        _ => throw QlikApiException.BadRequest($"'{name}' must be an array of strings."),
    };

    public static string? Str(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Sorts by a "+field"/"-field"/"field" spec using a key selector per allowed field; unknown fields are a 400.</summary>
    public static IEnumerable<T> SortBy<T>(this IEnumerable<T> items, string? sort, IReadOnlyDictionary<string, Func<T, IComparable?>> keys)
    {
        if (sort is null) return items;
        var desc = sort.StartsWith('-');
        var field = sort.TrimStart('+', '-');
        var key = keys.FirstOrDefault(k => string.Equals(k.Key, field, StringComparison.OrdinalIgnoreCase)).Value
                  ?? throw QlikApiException.BadRequest($"Invalid sort field '{field}'.");
        return desc ? items.OrderByDescending(key) : items.OrderBy(key);
    }
}
