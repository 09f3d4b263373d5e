using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace QlikBackup.Qlik.Tests;

/// <summary>
/// Every request the client sends, while every client method is exercised, must be an operation of Qlik's published
/// API (tests/data/qlik-endpoints.txt; <c>{param}</c> segments are wildcards, the query string is ignored).
/// </summary>
public sealed class EndpointFidelityTests(ITestOutputHelper output)
{
    /// <summary>METHOD + path segments of each published operation.</summary>
    internal static IReadOnlyList<(string Method, string[] Segments)> PublishedEndpoints()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "data", "qlik-endpoints.txt");
        return File.ReadLines(file)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2 && p[1].StartsWith('/'))
            .Select(p => (p[0].ToUpperInvariant(), p[1].Trim('/').Split('/')))
            .ToList();
    }

    internal static bool IsPublished(IReadOnlyList<(string Method, string[] Segments)> endpoints, string method, string pathAndQuery)
    {
        var path = pathAndQuery.Split('?', 2)[0];
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        return endpoints.Any(e => e.Method == method && e.Segments.Length == segments.Length
            && e.Segments.Zip(segments).All(p => p.First.StartsWith('{') && p.First.EndsWith('}') ? p.Second.Length > 0 : p.First == p.Second));
    }

    [Fact]
    public void Endpoint_list_is_present_and_matching_works()
    {
        var endpoints = PublishedEndpoints();
        Assert.True(endpoints.Count > 400);
        Assert.True(IsPublished(endpoints, "GET", "/api/v1/spaces/abc/assignments?limit=3"));
        Assert.True(IsPublished(endpoints, "POST", "/oauth/token"));
        Assert.False(IsPublished(endpoints, "GET", "/api/v1/spaces/abc/assignments/x/y"));
        Assert.False(IsPublished(endpoints, "PUT", "/api/v1/data-alerts/abc")); // data alerts have no PUT
        Assert.False(IsPublished(endpoints, "GET", "/api/v1/apps"));            // apps are listed through items
    }

    [Fact]
    public async Task Every_client_method_sends_only_published_method_and_path_pairs()
    {
        await using var h = await ClientHarness.StartAsync(oauth: true);
        var called = new ConcurrentBag<string>();
        var client = CallRecorder.Wrap(h.Client, called);
        var failures = new List<string>();
        async Task Try(string what, Func<Task> action)
        {
            try { await action(); }
            catch (QlikApiException e) { failures.Add($"{what}: {e.Message}"); } // the request was still sent and recorded
        }
        static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

        // Spaces and assignments
        var shared = await client.CreateSpaceAsync("fidelity", "shared", null);
        var managed = await client.CreateSpaceAsync("fidelity-managed", "managed", null);
        await client.UpdateSpaceAsync(shared.Id, "fidelity-renamed", "d", null);
        await client.GetSpaceAsync(shared.Id);
        await foreach (var _ in client.ListSpacesAsync()) { }
        var user = h.AddUser("Fidelity");
        var assignment = await client.CreateSpaceAssignmentAsync(shared.Id, "user", user, ["consumer"]);
        await foreach (var _ in client.ListSpaceAssignmentsAsync(shared.Id)) { }
        await client.DeleteSpaceAssignmentAsync(shared.Id, assignment.Id);
        await foreach (var _ in client.ListItemsAsync("app", shared.Id)) { }

        // Apps
        var app = await client.CreateAppAsync("fidelity app", null, shared.Id);
        await client.GetAppAsync(app.Id);
        await client.UpdateAppAsync(app.Id, "fidelity app 2", "d");
        byte[] qvf;
        await using (var export = await client.ExportAppAsync(app.Id))
        using (var buffer = new MemoryStream())
        {
            await export.CopyToAsync(buffer);
            qvf = buffer.ToArray();
        }
        var imported = await client.ImportAppAsync(new MemoryStream(qvf), shared.Id, "imported");
        var copy = await client.CopyAppAsync(app.Id, "copy", shared.Id);
        var published = await client.PublishAppAsync(app.Id, managed.Id);
        await Try("republish", () => client.RepublishAppAsync(app.Id, published.Id));
        await client.MoveAppToSpaceAsync(copy.Id, "personal");
        await client.MoveAppToSpaceAsync(copy.Id, shared.Id);
        await client.ChangeAppOwnerAsync(copy.Id, user);
        var objectId = AddSheet(h, app.Id);
        await Try("object change-owner", () => client.ChangeAppObjectOwnerAsync(app.Id, objectId, user));
        await client.DeleteAppAsync(imported.Id);
        Assert.Null(await client.RestoreDeletedAppAsync(imported.Id)); // created just now: hard-deleted, not restorable

        // Resource collections
        foreach (var kind in Enum.GetValues<QlikResourceKind>())
        {
            await Try($"list {kind}", async () => { await foreach (var _ in client.ListAsync(kind)) { } });
            await Try($"get {kind}", () => client.GetAsync(kind, "missing"));
        }
        var hook = await client.CreateAsync(QlikResourceKind.Webhook, J("""{"name":"h","url":"https://example.invalid/h"}"""));
        await client.ReplaceAsync(QlikResourceKind.Webhook, hook.Id, hook.Raw);
        await client.DeleteAsync(QlikResourceKind.Webhook, hook.Id);
        var key = await client.CreateAsync(QlikResourceKind.ApiKey, J("""{"description":"k"}"""));
        await client.ReplaceAsync(QlikResourceKind.ApiKey, key.Id, J("""{"description":"k2"}"""));
        var idp = await client.CreateAsync(QlikResourceKind.IdentityProvider, J("""{"protocol":"OIDC","provider":"generic","interactive":false,"options":{"claimsMapping":{}}}"""));
        await client.ReplaceAsync(QlikResourceKind.IdentityProvider, idp.Id, J("""{"description":"x"}"""));
        var connection = await client.CreateAsync(QlikResourceKind.DataConnection, J("""{"qName":"c","qConnectStatement":"x","qType":"folder","datasourceID":"folder"}"""));
        await client.ReplaceAsync(QlikResourceKind.DataConnection, connection.Id, J(connection.Raw.GetRawText()));
        await Try("create as owner", () => client.CreateAsAsync(QlikResourceKind.DataConnection, J("""{"qName":"c2","qConnectStatement":"x","qType":"folder","datasourceID":"folder"}"""), user));
        var flow = await client.CreateAsync(QlikResourceKind.Automation, J("""{"name":"fidelity flow"}"""));
        await client.ChangeOwnerAsync(QlikResourceKind.Automation, flow.Id, user);
        var theme = await client.UploadThemeAsync(new MemoryStream(ResourceRoundTripTests.ThemeZip("fidelity-theme")), "t.zip");
        await using (var zip = await client.DownloadThemeAsync(theme.Id)) await zip.CopyToAsync(Stream.Null);
        await client.ReplaceAsync(QlikResourceKind.Theme, theme.Id, J("""{"description":"d"}"""));

        // Audits, space delete, impersonation
        await foreach (var _ in client.ListAuditsAsync(DateTimeOffset.UtcNow.AddHours(-1), null, "com.qlik.space.created")) { }
        var empty = await client.CreateSpaceAsync("to-delete", "shared", null);
        await client.DeleteSpaceAsync(empty.Id);
        await h.Tokens.GetTokenAsync(user);

        foreach (var f in failures) output.WriteLine("tolerated: " + f);
        var notCalled = typeof(IQlikRestClient).GetMethods().Select(m => m.Name).Except(called).ToList();
        Assert.True(notCalled.Count == 0, "client methods not exercised: " + string.Join(", ", notCalled));

        var endpoints = PublishedEndpoints();
        var sent = h.Log.Requests.Select(r => (r.Method, Path: r.PathAndQuery.Split('?')[0])).Distinct().ToList();
        foreach (var (method, path) in sent) output.WriteLine($"{method} {path}");
        var unpublished = sent.Where(r => !IsPublished(endpoints, r.Method, r.Path)).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(unpublished.Count == 0, "not in Qlik's published API: " + string.Join("; ", unpublished));
        Assert.True(sent.Count >= 40, $"only {sent.Count} distinct requests were sent");
    }

    /// <summary>Adds a private sheet owned by the admin straight into the app document (no REST endpoint creates objects).</summary>
    private static string AddSheet(ClientHarness h, string appId)
    {
        var id = "sheet-" + Guid.NewGuid().ToString("N")[..8];
        h.Simulator.Tenant.UpdateAppDocument(appId, new SimulatedActor(h.Simulator.AdminUserId), (_, doc) =>
        {
            doc.Objects[id] = new SimulatedObject
            {
                Id = id, ObjectClass = SimObjectClass.GenericObject, QType = "sheet", OwnerId = h.Simulator.AdminUserId,
                Properties = new JsonObject
                {
                    ["qProperty"] = new JsonObject { ["qInfo"] = new JsonObject { ["qId"] = id, ["qType"] = "sheet" }, ["qMetaDef"] = new JsonObject { ["title"] = "s" } },
                    ["qChildren"] = new JsonArray(),
                },
            };
            return 0;
        });
        return id;
    }

    /// <summary>Records which interface methods a test invoked.</summary>
    public class CallRecorder : DispatchProxy
    {
        private IQlikRestClient _inner = null!;
        private ConcurrentBag<string> _called = null!;

        public static IQlikRestClient Wrap(IQlikRestClient inner, ConcurrentBag<string> called)
        {
            var proxy = Create<IQlikRestClient, CallRecorder>();
            var recorder = (CallRecorder)(object)proxy;
            recorder._inner = inner;
            recorder._called = called;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _called.Add(targetMethod!.Name);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
