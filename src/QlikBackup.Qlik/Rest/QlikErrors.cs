using System.Text.Json;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>Turns Qlik's error bodies into <see cref="QlikApiException"/>.</summary>
public static class QlikErrors
{
    private const int MaxBodyChars = 2000;

    public static async Task<QlikApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            body = "";
        }
        return Parse(status, body, response.ReasonPhrase);
    }

    /// <summary>
    /// Shapes: <c>{"errors":[{code,title,detail,status}],"traceId"}</c> (most services) and
    /// <c>{code?,title,status,...}</c> (themes/extensions). Anything else keeps the raw body as detail.
    /// </summary>
    public static QlikApiException Parse(int status, string body, string? reasonPhrase)
    {
        var errors = new List<QlikError>();
        string? traceId = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    traceId = Str(root, "traceId");
                    if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var e in list.EnumerateArray())
                            if (e.ValueKind == JsonValueKind.Object) errors.Add(Read(e, status));
                    }
                    else if (root.TryGetProperty("title", out _) || root.TryGetProperty("code", out _))
                    {
                        errors.Add(Read(root, status));
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page, plain text): fall through and keep it as detail.
            }
        }
        if (errors.Count == 0)
            errors.Add(new QlikError($"HTTP-{status}", reasonPhrase ?? $"HTTP {status}", Truncate(body), status));
        return new QlikApiException(status, errors, traceId);
    }

    private static QlikError Read(JsonElement e, int httpStatus)
    {
        int? status = null;
        if (e.TryGetProperty("status", out var s))
        {
            if (s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n)) status = n;
            else if (s.ValueKind == JsonValueKind.String && int.TryParse(s.GetString(), out var m)) status = m;
        }
        return new QlikError(Str(e, "code"), Str(e, "title") ?? Str(e, "message"), Str(e, "detail"), status ?? httpStatus);
    }

    /// <summary>Reads a member as text whether Qlik sent it as a string or a number.</summary>
    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    private static string? Truncate(string body) =>
        string.IsNullOrWhiteSpace(body) ? null : body.Length <= MaxBodyChars ? body : body[..MaxBodyChars] + "…";
}
