using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>Every REST route the simulator maps must be a METHOD+path of Qlik's published API ({param} segments are wildcards).</summary>
public sealed partial class RouteFidelityTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Param();

    private static string Normalize(string method, string path) => $"{method.ToUpperInvariant()} {Param().Replace(path.TrimEnd('/'), "{}")}";

    private static HashSet<string> QlikEndpoints()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "data", "qlik-endpoints.txt");
        return File.ReadLines(file)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2))
            .Select(p => Normalize(p[0], p[1]))
            .ToHashSet();
    }

    private List<(string Method, string Path)> SimulatorRoutes()
        => sim.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            // The Engine's JSON-RPC WebSocket (/app/{appId}) is not a REST endpoint.
            .Where(r => !r.Item2.StartsWith("/app/", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void Every_simulator_route_is_in_Qliks_endpoint_list()
    {
        var qlik = QlikEndpoints();
        var routes = SimulatorRoutes();
        var unknown = routes.Where(r => !qlik.Contains(Normalize(r.Method, r.Path))).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(unknown.Count == 0, "Routes not in Qlik's API: " + string.Join(", ", unknown));
        Assert.True(routes.Count > 100, $"expected the full resource surface, found {routes.Count} routes");
    }

    [Fact]
    public void The_check_itself_rejects_a_path_Qlik_does_not_define()
    {
        var qlik = QlikEndpoints();
        Assert.DoesNotContain(Normalize("GET", "/api/v1/apps"), qlik); // Qlik lists apps via /items only
        Assert.Contains(Normalize("GET", "/api/v1/apps/{x}"), qlik);
    }
}
