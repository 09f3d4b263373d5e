using Microsoft.AspNetCore.Mvc;

namespace QlikBackup.Functions.Api;

/// <summary>GET /api/openapi.json: the committed OpenAPI document (docs/openapi.json, embedded), the same on both hosts.</summary>
public static class ApiDocumentApi
{
    public const string ResourceName = "QlikBackup.openapi.json";

    static readonly Lazy<string> Document = new(() =>
    {
        using Stream stream = typeof(ApiDocumentApi).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The OpenAPI document is not embedded as {ResourceName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static Task<IActionResult> GetAsync(ApiCall call) =>
        Task.FromResult<IActionResult>(new ContentResult { Content = Document.Value, ContentType = "application/json", StatusCode = 200 });
}
