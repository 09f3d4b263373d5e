using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QlikBackup.Cli.Tests.Support;

/// <summary>One request as the fake received it, for asserting what the CLI sent.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string? FunctionKey, string? Operator, JsonNode? Body);

/// <summary>
/// A faithful fake of QlikBackup's HTTP API (src/QlikBackup.Functions/Api): same routes, same JSON conventions
/// (camelCase, enums as strings, TimeSpan as "c"), same RFC 9457 problems for the same mistakes, and Durable-like
/// operations that move Pending → Running → finished as they are polled. It holds no storage: just canned data.
/// </summary>
public sealed class FakeApi : IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = CreateJson();

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, FakeOperation> operations = new();
    int nextId;

    FakeApi(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When set, requests without this x-functions-key get Azure Functions' bare 401.</summary>
    public string? RequiredKey { get; set; }

    public List<object> Points { get; } = [];

    /// <summary>Requests it matches are answered 503 (a host restarting), to exercise retries.</summary>
    public Func<HttpRequest, bool>? Unavailable { get; set; }

    public bool RpoBreached { get; set; }

    /// <summary>What GET /api/status lists as restored under a new id.</summary>
    public List<object> Restored { get; } = [];

    /// <summary>How many polls an operation answers Running before it finishes.</summary>
    public int RunningPolls { get; set; } = 2;

    /// <summary>Final status of the next operations started ("Completed" or "Failed").</summary>
    public string FinalStatus { get; set; } = "Completed";

    /// <summary>Whether a restore's result reports success (the operation itself still Completes).</summary>
    public bool RestoreSucceeds { get; set; } = true;

    /// <summary>Back to a fresh state, so one server can serve a whole test class (starting Kestrel per test is the slow part).</summary>
    public void Reset()
    {
        Requests.Clear();
        Points.Clear();
        operations.Clear();
        nextId = 0;
        RequiredKey = null;
        Unavailable = null;
        RpoBreached = false;
        Restored.Clear();
        RunningPolls = 2;
        FinalStatus = "Completed";
        RestoreSucceeds = true;
    }

    public int Polls(string id) => Requests.Count(r => r.Method == "GET" && r.PathAndQuery == $"/api/operations/{id}");

    public static async Task<FakeApi> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var fake = new FakeApi(builder.Build());
        fake.Map();
        await fake.app.StartAsync();
        string address = fake.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Url = new Uri(address);
        return fake;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    /// <summary>Every route the fake serves, as "METHOD /path/{param}", for checking against the OpenAPI document.</summary>
    public IReadOnlyList<string> Routes() =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToList();

    void Map()
    {
        app.Use(async (context, next) =>
        {
            JsonNode? body = null;
            if (context.Request.ContentLength > 0)
            {
                context.Request.EnableBuffering();
                body = await JsonNode.ParseAsync(context.Request.Body);
                context.Request.Body.Position = 0;
            }

            Requests.Enqueue(new RecordedRequest(
                context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers["x-functions-key"].FirstOrDefault(), context.Request.Headers["X-Operator"].FirstOrDefault(), body));
            if (RequiredKey is not null && context.Request.Headers["x-functions-key"] != RequiredKey)
            {
                context.Response.StatusCode = 401;
                return;
            }

            if (Unavailable?.Invoke(context.Request) == true)
            {
                await Problem(503, "Service Unavailable", "The host is restarting.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        app.MapPost("/api/backups", async (HttpRequest request) =>
        {
            JsonNode? body = await JsonNode.ParseAsync(request.Body);
            if (body?["assetId"] is not null)
            {
                return body["kind"] is null
                    ? Problem(400, "Missing kind", "A backup of one asset needs both 'kind' and 'assetId'.")
                    : Start(request, "CaptureAssetOrchestrator", AssetCaptureOutput(body["assetId"]!.GetValue<string>()));
            }

            return body?["tier"] is null
                ? Problem(400, "Missing tier", "Give 'tier' (T1, T2 or T3) to back up a tier, or 'kind' and 'assetId' for one asset.")
                : Start(request, "CaptureTierOrchestrator", TierCaptureOutput(body["tier"]!.GetValue<string>()));
        });

        app.MapGet("/api/operations/{id}", (string id) =>
        {
            if (!operations.TryGetValue(id, out FakeOperation? op))
            {
                return Problem(404, "Unknown operation", $"No operation with id '{id}'.");
            }

            int poll = Interlocked.Increment(ref op.Polls);
            string status = poll == 1 ? "Pending" : poll <= RunningPolls + 1 ? "Running" : op.Final;
            bool done = status == op.Final;
            return Ok(new
            {
                id,
                name = op.Name,
                status,
                createdAt = op.CreatedAt,
                lastUpdatedAt = op.CreatedAt.AddSeconds(poll),
                output = done && status == "Completed" ? op.Output : null,
                failure = done && status == "Failed" ? "Activity CaptureAsset failed: Qlik answered 503 three times." : null,
            });
        });

        app.MapPost("/api/restores", async (HttpRequest request) =>
        {
            JsonNode? body = await JsonNode.ParseAsync(request.Body);
            // Core's RestoreRequest.Operator is `required`: without it System.Text.Json rejects the body.
            if (body?["operator"] is null)
            {
                return Problem(400, "Malformed JSON", "JSON deserialization for type 'QlikBackup.Core.Restore.RestoreRequest' was missing required properties including: 'operator'.");
            }

            string? pointId = body["pointId"]?.GetValue<string>();
            if (pointId is not null && !Points.Any(p => JsonSerializer.SerializeToNode(p, Json)!["pointId"]!.GetValue<string>() == pointId))
            {
                return Problem(400, "Unknown recovery point", $"No recovery point '{pointId}' in this tenant.");
            }

            object plan = Plan(body);
            return body["dryRun"]?.GetValue<bool>() == true
                ? Ok(plan)
                : Start(request, "RestoreOrchestrator", new { plan, result = RestoreResult(), duration = "00:00:42.5000000" });
        });

        app.MapGet("/api/recovery-points", (HttpRequest request) =>
        {
            string? name = request.Query["name"];
            string? kind = request.Query["kind"];
            if (kind is not null && kind is not ("App" or "Space" or "ReloadTask" or "User"))
            {
                return Problem(400, "Unknown kind", $"'{kind}' is not an asset kind. Use one of: Space, App, ReloadTask, User.");
            }

            int take = int.TryParse(request.Query["take"], out int t) ? t : 100;
            IEnumerable<JsonNode> found = Points.Select(p => JsonSerializer.SerializeToNode(p, Json)!)
                .Where(p => name is null || (p["name"]?.GetValue<string>() ?? "").Contains(name, StringComparison.OrdinalIgnoreCase))
                .Where(p => kind is null || p["kind"]!.GetValue<string>() == kind)
                .Take(take);
            return Ok(found.ToList());
        });

        app.MapGet("/api/status", () =>
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            object Tier(string tier, TimeSpan objective, TimeSpan age, bool breached) => new
            {
                tier,
                objective,
                lastRun = Run(tier, now - age),
                lastCleanRun = Run(tier, now - age),
                rpoBreached = breached,
                age,
            };
            var tiers = new[]
            {
                Tier("T1", TimeSpan.FromMinutes(15), RpoBreached ? TimeSpan.FromHours(2) : TimeSpan.FromMinutes(5), RpoBreached),
                Tier("T2", TimeSpan.FromHours(1), TimeSpan.FromMinutes(20), false),
                Tier("T3", TimeSpan.FromDays(1), TimeSpan.FromHours(3), false),
            };
            return Ok(new { tiers, rpoBreached = RpoBreached, restored = Restored });
        });

        app.MapGet("/api/status/spaces", () =>
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            object Space(string name, string tier, TimeSpan objective, TimeSpan age, bool breached) => new
            {
                spaceId = "space-" + name.ToLowerInvariant(), name, type = "shared", tier, objective, protectedAt = now - age, newestPointId = (string?)null, age, rpoBreached = breached,
            };
            var spaces = new[]
            {
                Space("Sales", "T1", TimeSpan.FromMinutes(15), RpoBreached ? TimeSpan.FromHours(2) : TimeSpan.FromMinutes(5), RpoBreached),
                Space("Finance", "T3", TimeSpan.FromDays(1), TimeSpan.FromHours(3), false),
            };
            return Ok(new { now, spaces });
        });

        app.MapPost("/api/drills", async (HttpRequest request) =>
        {
            JsonNode? body = await JsonNode.ParseAsync(request.Body);
            string scope = body?["scope"]?.GetValue<string>() ?? "Sample";
            if (scope == "Tenant")
            {
                // As the server without Drill:Standby settings answers.
                return Problem(400, "Standby tenant not configured", "A Tenant drill rebuilds the tenant in a standby tenant: set Drill:Standby:TenantUrl and its credentials.");
            }

            if (scope != "Space" && body?["tier"] is null)
            {
                return Problem(400, "Invalid tier", $"'tier' must be T1, T2 or T3 for a {scope} drill; got (absent).");
            }

            return Start(request, "DrillOrchestrator", Drill("op", passed: true));
        });

        app.MapGet("/api/drills", () => Ok(new[]
        {
            new { drillId = "drill-b", startedAt = DateTimeOffset.Parse("2026-11-27T05:00:00Z"), scope = "Sample", tier = "T1", passed = false, headline = "1 of 2 assets, 41 of 42 objects restored equal, RTO 3.2 min vs objective 30 min" },
            new { drillId = "drill-a", startedAt = DateTimeOffset.Parse("2026-11-20T05:00:00Z"), scope = "Tier", tier = "T2", passed = true, headline = "5 of 5 assets, 90 of 90 objects restored equal, RTO 9 min vs objective 4 h" },
        }));

        app.MapGet("/api/drills/{id}", (string id) => id switch
        {
            "drill-a" => Ok(Drill(id, passed: true)),
            "drill-b" => Ok(Drill(id, passed: false)),
            _ => Problem(404, "Drill report not found", $"There is no report of drill '{id}'."),
        });

        app.MapPost("/api/drills/{id}/clean-up", (string id, HttpRequest request) => id switch
        {
            // As the real API answers (DrillApi.CleanUpAsync): a drill still running, not a Tenant drill, no such drill.
            "drill-running" => Problem(409, "Drill still running", $"Drill '{id}' is Running; its own clean-up runs when it finishes."),
            "drill-a" => Problem(400, "Not a Tenant drill", $"Drill '{id}' is a Tier drill; only a Tenant drill (scope Tenant) rebuilds into the standby tenant."),
            "drill-kept" => Start(request, "DrillCleanUpOrchestrator", new
            {
                drillId = id, operationId = "op", @operator = "ops", passed = true,
                cleanup = new { removed = new[] { "app 'Sales' (a1) from the standby tenant", "space 'Sales' (s1) from the standby tenant" }, leftBehind = Array.Empty<string>() },
            }),
            "drill-refused" => Start(request, "DrillCleanUpOrchestrator", new
            {
                drillId = id, operationId = "op", @operator = "ops", passed = false,
                cleanup = new { removed = Array.Empty<string>(), leftBehind = new[] { "app 'Sales' (a1) in the standby tenant: Qlik API 403" } },
            }),
            _ => Problem(404, "Drill not found", $"There is no report of drill '{id}'."),
        });

        app.MapPut("/api/spaces/{spaceId}/tier", async (string spaceId, HttpRequest request) =>
        {
            JsonNode? body = await JsonNode.ParseAsync(request.Body);
            return Ok(new { spaceId, tier = body?["tier"]?.GetValue<string>() });
        });

        app.MapGet("/api/recovery-points/{pointId}", (string pointId) =>
            Points.Select(p => JsonSerializer.SerializeToNode(p, Json)!).FirstOrDefault(p => p["pointId"]!.GetValue<string>() == pointId) is { } point
                ? Ok(point)
                : Problem(404, "Recovery point not found", $"There is no recovery point '{pointId}'."));

        app.MapGet("/api/assets/{kind}/{assetId}/history", (string kind, string assetId) =>
            Ok(Points.Select(p => JsonSerializer.SerializeToNode(p, Json)!)
                .Where(p => p["kind"]!.GetValue<string>() == kind && p["assetId"]!.GetValue<string>() == assetId).ToList()));

        app.MapPost("/api/promotions", async (HttpRequest request) =>
        {
            JsonNode? body = await JsonNode.ParseAsync(request.Body);
            return Ok(new { productionAppId = body?["productionAppId"]?.GetValue<string>() ?? "app-new", method = "ReplaceContent", changes = new[] { "Replace script" } });
        });

        app.MapGet("/api/spaces/tiers", () => Ok(new { defaultTier = "T3", spaces = new Dictionary<string, string> { ["space-fin"] = "T1" } }));

        app.MapGet("/api/compare", (HttpRequest request) => Ok(new
        {
            left = request.Query["pointA"].ToString(),
            right = request.Query["pointB"].FirstOrDefault() ?? "live",
            added = new[] { "object/GenericObject/sheet-new" },
            removed = Array.Empty<string>(),
            changed = new[]
            {
                new { part = "object/GenericObject/kpi-1", changes = new[] { new { path = "$.qHyperCubeDef.qMeasures[0].qDef", old = "\"Sum(Sales)\"", @new = "\"Sum(Margin)\"" } } },
            },
            unchanged = 14,
            script = new
            {
                added = 1,
                removed = 1,
                lines = new[]
                {
                    new { kind = "Unchanged", oldLine = (int?)1, newLine = (int?)1, text = "LOAD * FROM [lib://Data/sales.qvd] (qvd);" },
                    new { kind = "Removed", oldLine = (int?)2, newLine = (int?)null, text = "WHERE Year >= 2020;" },
                    new { kind = "Added", oldLine = (int?)null, newLine = (int?)2, text = "WHERE Year >= 2024;" },
                },
            },
        }));
    }

    IResult Start(HttpRequest request, string name, object output)
    {
        string id = $"op-{Interlocked.Increment(ref nextId)}";
        operations[id] = new FakeOperation(name, FinalStatus, output, DateTimeOffset.UtcNow);
        return Results.Json(new { id, name, statusUri = $"{request.Scheme}://{request.Host}/api/operations/{id}" }, Json, statusCode: 202);
    }

    static IResult Ok(object value) => Results.Json(value, Json);

    /// <summary>A drill report as DrillReport serializes: one asset equal, and for a failed drill one with an owner difference.</summary>
    static object Drill(string id, bool passed) => new
    {
        drillId = id,
        passed,
        headline = passed ? "1 of 1 assets, 21 of 21 objects restored equal, RTO 40 s vs objective 30 min" : "1 of 2 assets, 41 of 42 objects restored equal, RTO 3.2 min vs objective 30 min",
        error = (string?)null,
        assets = new[]
        {
            new
            {
                asset = new { name = "Sales Dashboard", pointId = "QXBwfGFwcC1zYWxlc3wx" },
                result = passed ? "Equal" : "Different",
                fidelity = new
                {
                    differences = passed ? [] : new[] { new { @object = "GenericObject sheet-7", attribute = "owner", expected = "anna", actual = "svc-backup" } },
                },
                checklist = new[] { "Data connection 'Sales DB': re-enter its credentials (passwords and tokens are write-only)." },
            },
        },
        cleanup = new { removed = new[] { "space 'drill-x-app'" }, leftBehind = passed ? [] : new[] { "app 'Sales' (a1) in the standby tenant: Qlik API 403" } },
    };

    /// <summary>The shape ApiResults.Problem answers: RFC 9457 with status, title and detail.</summary>
    static IResult Problem(int status, string title, string detail) =>
        Results.Json(new { status, title, detail }, Json, contentType: "application/problem+json", statusCode: status);

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    /// <summary>A recovery point as the index stores it (Core's RecoveryPoint, camelCased).</summary>
    public static object Point(string pointId, string kind, string assetId, string name, DateTimeOffset capturedAt, string? changedBy = null) => new
    {
        tenantId = "tenant.eu.qlikcloud.com",
        pointId,
        kind,
        assetId,
        name,
        spaceId = "space-fin",
        spaceName = "Finance",
        ownerId = "user-anna",
        tier = "T1",
        capturedAt,
        sourceModifiedAt = capturedAt.AddMinutes(-3),
        status = "Captured",
        manifestRef = "sha256-0f1e2d",
        size = 1_572_864L,
        newBytes = 4096L,
        changedBy,
        changedAt = changedBy is null ? (DateTimeOffset?)null : capturedAt.AddMinutes(-3),
        changedFromClient = changedBy is null ? null : "browser",
        error = (string?)null,
    };

    object Plan(JsonNode request)
    {
        string pointId = request["pointId"]?.GetValue<string>() ?? "UEF8YXBwLXNhbGVzfDA";
        return new
        {
            restoreId = "rst-20261127-0001",
            request,
            points = new[] { Point(pointId, "App", "app-sales", "Sales Dashboard", new DateTimeOffset(2026, 11, 27, 9, 45, 0, TimeSpan.Zero), "anna@example.com") },
            actions = new object[]
            {
                new { id = "a1", kind = "Replace", assetKind = "App", assetId = "app-sales", name = "Sales Dashboard", objectId = (string?)null, description = "Replace the load script", pointId, part = "script", step = "Script" },
                new { id = "a2", kind = "Create", assetKind = "App", assetId = "app-sales", name = "Sales Dashboard", objectId = "sheet-overview", description = "Recreate sheet 'Overview'", pointId, part = "object/sheet/sheet-overview", step = "Object" },
                new { id = "a3", kind = "Delete", assetKind = "App", assetId = "app-sales", name = "Sales Dashboard", objectId = "chart-added", description = "Destroy chart added after the point", pointId = (string?)null, part = (string?)null, step = "DeleteObject" },
            },
            reconfigurationChecklist = new[] { "Re-enter the credentials of data connection 'Snowflake PROD'.", "Re-enable reload task 'Nightly sales'." },
            warnings = new[] { "2 private objects of other users are not restored." },
            targets = new[] { new { pointId, kind = "App", assetId = "app-sales", name = "Sales Dashboard", targetAssetId = "app-sales", targetSpaceId = "space-fin", targetSpaceActionId = (string?)null, validation = false } },
            attributions = Array.Empty<object>(),
            createdAt = DateTimeOffset.UtcNow,
            tenantId = "tenant.eu.qlikcloud.com",
            summary = "Create 1, Replace 1, Delete 1",
        };
    }

    object RestoreResult() => new
    {
        restoreId = "rst-20261127-0001",
        succeeded = RestoreSucceeds,
        done = Array.Empty<object>(),
        idMap = new Dictionary<string, string> { ["sheet-overview"] = "sheet-overview" },
        restoredAssetId = "app-sales",
        error = RestoreSucceeds ? null : "Qlik answered 409 when importing the app.",
    };

    static object Summary(int captured, int failed) => new { captured, unchanged = 7, deleted = 0, failed, bytes = 10_485_760L, newBytes = 524_288L };

    static object Run(string tier, DateTimeOffset finished) => new
    {
        tier, runId = $"run-{tier}", startedAt = finished.AddMinutes(-2), finishedAt = finished, spaces = 2, summary = Summary(3, 0),
    };

    static object TierCaptureOutput(string tier) => new
    {
        tier,
        startedAt = DateTime.UtcNow.AddMinutes(-1),
        finishedAt = DateTime.UtcNow,
        spaces = new[]
        {
            new { space = new { spaceId = "space-fin", spaceName = "Finance", tier }, assets = 6, summary = Summary(2, 0), failures = Array.Empty<object>() },
            new { space = new { spaceId = "space-ops", spaceName = "Operations", tier }, assets = 4, summary = Summary(1, 0), failures = Array.Empty<object>() },
        },
        summary = Summary(3, 0),
    };

    static object AssetCaptureOutput(string assetId) => new
    {
        asset = new { kind = "App", id = assetId },
        outcome = "Captured",
        pointId = "QXBwfGFwcC1zYWxlc3w2Mzg",
        size = 2048L,
        newBytes = 1024L,
        objectCount = 12,
    };

    sealed class FakeOperation(string name, string final, object output, DateTimeOffset createdAt)
    {
        public int Polls;
        public string Name { get; } = name;
        public string Final { get; } = final;
        public object Output { get; } = output;
        public DateTimeOffset CreatedAt { get; } = createdAt;
    }
}
