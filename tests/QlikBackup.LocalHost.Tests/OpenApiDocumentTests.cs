using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Functions.Api;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// The committed OpenAPI document (docs/openapi.json) is what the route table generates, is what both hosts serve,
/// and describes routes that answer as it says. Set QLIKBACKUP_UPDATE_OPENAPI=1 to rewrite the committed file.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class OpenApiDocumentTests(LocalEnvironmentFixture fixture)
{
    public static string CommittedPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("Functions.sln not found above the test binaries."), "docs", "openapi.json");
        }
    }

    [Fact]
    public async Task The_committed_document_is_the_one_the_route_table_generates()
    {
        string generated = ApiDescription.Normalize(await fixture.Api.GetStringAsync(ApiDescription.GeneratedPath.TrimStart('/')));
        if (Environment.GetEnvironmentVariable("QLIKBACKUP_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, generated);
        }

        Assert.Equal(generated, ApiDescription.Normalize(await File.ReadAllTextAsync(CommittedPath)));
    }

    [Fact]
    public async Task The_host_serves_the_committed_document()
    {
        string served = await fixture.Api.GetStringAsync("api/openapi.json");

        Assert.Equal(ApiDescription.Normalize(await File.ReadAllTextAsync(CommittedPath)), ApiDescription.Normalize(served));
    }

    [Fact]
    public async Task The_document_has_exactly_the_routes_of_the_table_and_is_OpenAPI_3_1()
    {
        JsonNode doc = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        Assert.StartsWith("3.1", doc["openapi"]!.GetValue<string>());
        var documented = Operations(doc).Select(o => $"{o.Method} {o.Path} {o.OperationId}").Order();
        var table = ApiRoutes.All.Select(r => $"{r.Method} {r.Path} {r.OperationId}").Order();

        Assert.Equal(table, documented);
    }

    /// <summary>Every operation of the document, called on the running host: it exists and answers a status the document lists.</summary>
    [Fact]
    public async Task Every_route_of_the_document_answers_as_documented()
    {
        JsonNode doc = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        var wrong = new List<string>();
        foreach (var op in Operations(doc))
        {
            string path = op.Path.TrimStart('/').Replace("{id}", "contract-test").Replace("{spaceId}", "contract-test-space");
            using var request = new HttpRequestMessage(new HttpMethod(op.Method), path);
            if (op.Node["requestBody"] is not null)
            {
                // The smallest body the schema allows to be sent: an empty object. The answer may be a 4xx, but a documented one.
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using HttpResponseMessage response = await fixture.Api.SendAsync(request);
            string status = ((int)response.StatusCode).ToString();
            var documented = op.Node["responses"]!.AsObject().Select(r => r.Key).ToList();
            if (!documented.Contains(status))
            {
                wrong.Add($"{op.Method} {op.Path} answered {status}; documented: {string.Join(", ", documented)}");
            }
            else if (response.StatusCode != HttpStatusCode.OK || op.OperationId != "GetOpenApiDocument")
            {
                string? media = response.Content.Headers.ContentType?.MediaType;
                // A page (text/html) is documented as such; everything else answers JSON.
                var pageTypes = op.Node["responses"]![status]!["content"]?.AsObject().Select(c => c.Key).Where(m => m != "application/json").ToList() ?? [];
                if (media is not ("application/json" or "application/problem+json") && !pageTypes.Contains(media ?? ""))
                {
                    wrong.Add($"{op.Method} {op.Path} answered {media ?? "no content type"}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    public sealed record Operation(string Method, string Path, string OperationId, JsonNode Node);

    public static IEnumerable<Operation> Operations(JsonNode doc) =>
        doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => m.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(m => new Operation(m.Key.ToUpperInvariant(), p.Key, m.Value!["operationId"]?.GetValue<string>() ?? "", m.Value!)));
}
