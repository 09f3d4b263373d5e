using Microsoft.AspNetCore.Http;

namespace QlikBackup.LocalHost;

/// <summary>What to fix, for the errors the web server answers before any handler runs.</summary>
static class ApiProblems
{
    public static void Describe(ProblemDetailsContext context)
    {
        HttpRequest request = context.HttpContext.Request;
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"No route matches {request.Method} {request.Path}. The routes are listed in /api/openapi.json.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}. The routes are listed in /api/openapi.json.",
            StatusCodes.Status400BadRequest => "The request could not be read (malformed URL, headers or body).",
            StatusCodes.Status413PayloadTooLarge => "The body is too large.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            >= 500 => "The server failed to handle the request; it is logged. Retry, and report it if it persists.",
            _ => "The request was refused.",
        };
        context.ProblemDetails.Extensions.Remove("traceId");
        context.ProblemDetails.Extensions["field"] = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => "path",
            StatusCodes.Status405MethodNotAllowed => "method",
            StatusCodes.Status415UnsupportedMediaType => "Content-Type",
            _ => "request",
        };
    }
}
