using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using QlikBackup.Functions.Api;
using QlikBackup.Functions.Triggers;

namespace QlikBackup.Functions.Tests.Api;

/// <summary>The Function app's HTTP triggers and the route table (which the local host maps) are the same API.</summary>
public sealed class RouteTableTests
{
    sealed record Trigger(string OperationId, string Method, string Template, AuthorizationLevel Level, string[] RouteParameters);

    static IReadOnlyList<Trigger> Triggers() =>
        typeof(HttpApi).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Function is not null)
            .Select(x =>
            {
                HttpTriggerAttribute http = x.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).Single(a => a is not null)!;
                Assert.Equal(x.Function!.Name, x.Method.Name);
                return new Trigger(x.Function.Name, Assert.Single(http.Methods!).ToUpperInvariant(), http.Route!, http.AuthLevel, []);
            })
            .ToList();

    [Fact]
    public void Every_route_has_exactly_one_Functions_trigger_and_every_trigger_a_route()
    {
        var table = ApiRoutes.All.Select(r => $"{r.OperationId} {r.Method} {r.Template}").Order().ToList();
        var triggers = Triggers().Select(t => $"{t.OperationId} {t.Method} {t.Template}").Order().ToList();

        Assert.Equal(table, triggers);
    }

    [Fact]
    public void Only_routes_marked_anonymous_skip_the_function_key()
    {
        foreach (Trigger t in Triggers())
        {
            ApiRoute route = ApiRoutes.ByOperationId(t.OperationId);
            Assert.Equal(route.Anonymous ? AuthorizationLevel.Anonymous : AuthorizationLevel.Function, t.Level);
        }
    }

    [Fact]
    public void Operation_ids_and_method_plus_template_are_unique()
    {
        Assert.Equal(ApiRoutes.All.Count, ApiRoutes.All.Select(r => r.OperationId).Distinct().Count());
        Assert.Equal(ApiRoutes.All.Count, ApiRoutes.All.Select(r => $"{r.Method} {r.Template}").Distinct().Count());
        Assert.All(ApiRoutes.All, r => Assert.DoesNotContain("/api/", "/" + r.Template));
    }
}
