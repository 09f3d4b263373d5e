using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace QlikBackup.Functions.Api;

/// <summary>JSON conventions of the HTTP API and its RFC 9457 problem-details errors.</summary>
public static class ApiResults
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    public static ObjectResult Problem(int status, string title, string detail) =>
        new(new ProblemDetails { Status = status, Title = title, Detail = detail })
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };

    public static ObjectResult Ok(object value) => Json200(value, StatusCodes.Status200OK);

    public static ObjectResult Accepted(object value) => Json200(value, StatusCodes.Status202Accepted);

    static ObjectResult Json200(object value, int status) =>
        new(value) { StatusCode = status, Formatters = { new Microsoft.AspNetCore.Mvc.Formatters.SystemTextJsonOutputFormatter(Json) } };

    /// <summary>Reads a JSON body; a missing or malformed body becomes a 400 problem, never an exception.</summary>
    public static async Task<(T? Value, IActionResult? Error)> ReadAsync<T>(HttpRequest request, bool allowEmpty = false)
        where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Body.CanSeek && request.Headers.ContentType.Count == 0))
        {
            return allowEmpty ? (null, null) : (null, Problem(400, "Missing body", "A JSON request body is required."));
        }

        try
        {
            T? value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value is null && !allowEmpty
                ? (null, Problem(400, "Missing body", "A JSON request body is required."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problem(400, "Malformed JSON", ex.Message));
        }
    }

    /// <summary>Parses an enum query or route value by name, case-insensitively.</summary>
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
        => Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value);
}
