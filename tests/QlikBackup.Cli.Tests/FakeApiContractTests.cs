using Xunit;
using System.Text.Json.Nodes;
using QlikBackup.Cli.Tests.Support;

namespace QlikBackup.Cli.Tests;

/// <summary>The CLI's fake serves only routes the real API documents (docs/openapi.json), so no CLI test passes against a route that does not exist.</summary>
public sealed class FakeApiContractTests
{
    static string DocumentPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "docs", "openapi.json");
    }

    [Fact]
    public async Task Every_route_of_the_fake_is_in_the_OpenAPI_document()
    {
        JsonNode doc = JsonNode.Parse(await File.ReadAllTextAsync(DocumentPath()))!;
        var documented = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet();
        await using FakeApi fake = await FakeApi.StartAsync();

        var routes = fake.Routes();

        Assert.NotEmpty(routes);
        Assert.All(routes, r => Assert.Contains(r, documented));
    }
}
