using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Formatters;

namespace QlikBackup.Functions.Api;

/// <summary>JSON conventions of the HTTP API and its RFC 9457 problem-details errors.</summary>
public static class ApiResults
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    static readonly SystemTextJsonOutputFormatter Formatter = new(Json);

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Without a resolver, writing a response before any body was read throws (every GET answered 500 on a cold start).
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new StrictEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>An RFC 9457 problem document; <paramref name="field"/> names the request field to fix.</summary>
    public static ObjectResult Problem(int status, string title, string detail, string? field = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return new ObjectResult(problem)
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
            Formatters = { Formatter },
        };
    }

    public static ObjectResult Ok(object value) => Result(value, StatusCodes.Status200OK);

    public static ObjectResult Accepted(object value) => Result(value, StatusCodes.Status202Accepted);

    static ObjectResult Result(object value, int status) =>
        new(value) { StatusCode = status, Formatters = { Formatter }, DeclaredType = value.GetType() };

    /// <summary>Reads a JSON body; a missing or malformed body becomes a 400 problem naming the field, never an exception.</summary>
    public static async Task<(T? Value, IActionResult? Error)> ReadAsync<T>(HttpRequest request, bool allowEmpty = false)
        where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Body.CanSeek && request.Headers.ContentType.Count == 0))
        {
            return allowEmpty ? (null, null) : (null, Problem(400, "Missing body", "A JSON request body is required.", "body"));
        }

        try
        {
            T? value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problem(400, "Malformed JSON", "The body must be a JSON object, not null.", "body"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, MalformedJson(ex));
        }
    }

    public static ObjectResult MalformedJson(JsonException ex)
    {
        // A syntax error (the reader's, as the inner exception) is the body's fault wherever the reader stopped.
        string field = ex.InnerException?.GetType().Name == "JsonReaderException" ? "body" : FieldOf(ex.Path);
        // The converters' own messages say what to write; the serializer's generic ones are replaced by one that names the field.
        string message = ex.Message.Split(" Path:")[0];
        string detail = message.StartsWith('\'') ? $"{field}: {message}"
            : message.Contains("missing required properties", StringComparison.Ordinal) ? message
            : field == "body" ? "The body is not valid JSON: " + message
            : $"{field}: the value has the wrong type or shape.";
        return Problem(400, "Malformed JSON", detail, field);
    }

    /// <summary>"$.kinds[2]" → "kinds[2]"; the root → "body".</summary>
    static string FieldOf(string? path) => path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>Parses an enum query or route value by its exact name (case-insensitive): no numbers, no "A,B" flags.</summary>
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        string? name = text is null ? null : Enum.GetNames<TEnum>().FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is not null && Enum.TryParse(name, out value);
    }

    public static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>());
}

/// <summary>
/// Enums as their names, both ways, and only their names: a number, an undefined value or "T1,T2" (which
/// <see cref="JsonStringEnumConverter"/> reads as flags) is refused with a message listing the names.
/// </summary>
public sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    sealed class Converter<TEnum> : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (ApiResults.TryParse(text, out TEnum value))
            {
                return value;
            }

            string shown = text ?? (reader.TokenType == JsonTokenType.Number ? "a number" : reader.TokenType.ToString().ToLowerInvariant());
            shown = shown.Length > 40 ? shown[..40] + "…" : shown;
            throw new JsonException($"'{shown}' is not a {typeof(TEnum).Name}. Use one of: {ApiResults.Names<TEnum>()}.");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
