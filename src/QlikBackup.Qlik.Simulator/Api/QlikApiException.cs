using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Thrown by handlers; the error middleware turns it into Qlik's <c>{"errors":[{code,title,detail,status}]}</c>.</summary>
public sealed class QlikApiException(int status, string code, string title, string? detail = null) : Exception(title)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;

    public static QlikApiException BadRequest(string detail, string code = "HTTP-400") => new(400, code, "Bad Request", detail);
    public static QlikApiException NotFound(string what, string id) => new(404, "HTTP-404", "Not Found", $"{what} '{id}' was not found.");
    public static QlikApiException Forbidden(string detail) => new(403, "HTTP-403", "Forbidden", detail);
    public static QlikApiException Conflict(string detail) => new(409, "HTTP-409", "Conflict", detail);

    public static JsonObject Body(int status, string code, string title, string? detail)
    {
        var error = new JsonObject { ["code"] = code, ["title"] = title };
        if (detail is not null) error["detail"] = detail;
        error["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject { ["errors"] = new JsonArray(error) };
    }

    public static Task WriteAsync(HttpContext context, int status, string code, string title, string? detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Body(status, code, title, detail).ToJsonString(Http.OutputOptions));
    }
}
