using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Tests.Support;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>
/// A simulated tenant with one app whose document holds every kind of object a backup meets, and the real Engine
/// client registered by <c>AddQlikEngine</c> on top of the REST helper's token provider (OAuth M2M, allowed to
/// impersonate, acting as the tenant admin).
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Sheet = "sheet-overview", Chart = "chart-sales", Kpi = "kpi-total", Story = "story-q1", Slide = "slide-1",
        SlideItem = "slideitem-1", MasterViz = "master-viz", Measure = "measure-revenue", Dimension = "dim-region",
        Bookmark = "bm-emea", Variable = "var-threshold", AlicePrivateSheet = "alice-private-sheet",
        AlicePrivateBookmark = "alice-private-bm", BobCommunitySheet = "bob-community-sheet";

    private EngineHarness(ClientHarness client, ServiceProvider services, string appId, string aliceId, string bobId)
    {
        Client = client;
        Services = services;
        AppId = appId;
        AliceId = aliceId;
        BobId = bobId;
    }

    public ClientHarness Client { get; }
    public ServiceProvider Services { get; }
    public IQlikEngine Engine => Services.GetRequiredService<IQlikEngine>();
    public SimulatedTenant Tenant => Client.Simulator.Tenant;
    public string AdminId => Client.Simulator.AdminUserId;
    public string AppId { get; }
    public string AliceId { get; }
    public string BobId { get; }

    public static async Task<EngineHarness> StartAsync(SimulatorOptions? simulatorOptions = null)
    {
        var client = await ClientHarness.StartAsync(oauth: true, simulatorOptions: simulatorOptions);
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton(client.Tokens);
            services.Configure<QlikOptions>(o => o.TenantUrl = client.Simulator.BaseUrl);
            services.AddQlikEngine(o =>
            {
                o.ConnectTimeout = TimeSpan.FromSeconds(10);
                o.RequestTimeout = TimeSpan.FromSeconds(10);
                o.ConnectRetryDelay = TimeSpan.FromMilliseconds(50);
            });
            var alice = client.AddUser("alice");
            var bob = client.AddUser("bob");
            var appId = SeedApp(client.Simulator.Tenant, client.Simulator.AdminUserId, alice, bob);
            return new EngineHarness(client, services.BuildServiceProvider(), appId, alice, bob);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task<IEngineAppSession> OpenAsync(string? asUser = null, string? appId = null)
        => Engine.OpenAppAsync(appId ?? AppId, new EngineSessionOptions(NoData: true, ImpersonateUserId: asUser));

    /// <summary>Runs a read against the model (copying what it returns).</summary>
    public T Model<T>(Func<SimulatedAppDocument, T> read) => Tenant.Read(s => read(s.FindApp(AppId)!.Document));

    public int AuditCount(string eventType) => Tenant.Read(s => s.Audits.Count(a => a.EventType == eventType));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static JsonObject Node(JsonElement element) => JsonNode.Parse(element.GetRawText())!.AsObject();

    public static JsonElement Element(JsonNode node) => Json(node.ToJsonString());

    /// <summary>
    /// A shared space with alice and bob as members and an app owned by the admin: a sheet with two charts, a story
    /// with a slide and a slide item, a master visualisation, a master measure and dimension, a bookmark, a variable,
    /// plus a private sheet and bookmark of alice and a published (community) sheet of bob.
    /// </summary>
    private static string SeedApp(SimulatedTenant tenant, string adminId, string aliceId, string bobId) => tenant.Write(SimulatedActor.System, c =>
    {
        var space = new SimSpace { Id = Ids.NewObjectId(), Name = "engine-tests", Type = SpaceTypes.Shared, OwnerId = adminId, CreatedBy = adminId, CreatedAt = c.Now, UpdatedAt = c.Now };
        c.State.Spaces.Add(space);
        foreach (var member in new[] { aliceId, bobId })
            c.State.SpaceAssignments.Add(new SimSpaceAssignment { Id = Ids.NewObjectId(), SpaceId = space.Id, AssigneeId = member, Roles = ["consumer"], CreatedAt = c.Now, UpdatedAt = c.Now });

        var app = new SimApp { Id = Ids.NewGuid(), Name = "Sales", OwnerId = adminId, SpaceId = space.Id, CreatedDate = c.Now, ModifiedDate = c.Now };
        var doc = app.Document;
        doc.Script = "LOAD * INLINE [a\n1];";
        doc.AppProperties = new JsonObject { ["qTitle"] = "Sales", ["qLastReloadTime"] = "2026-01-01T00:00:00.000Z", ["qUsage"] = "ANALYTICS" };

        void Add(SimObjectClass cls, string qType, string id, string? owner, bool published, JsonObject props, bool approved = false)
            => doc.Objects[id] = new SimulatedObject
            {
                Id = id, ObjectClass = cls, QType = qType, OwnerId = owner, Published = published, Approved = approved,
                PublishTime = published ? c.Now : null, CreatedDate = c.Now, ModifiedDate = c.Now, Properties = props,
            };
        JsonObject Entry(string id, string qType, string title, params JsonObject[] children) => new()
        {
            ["qProperty"] = new JsonObject
            {
                ["qInfo"] = new JsonObject { ["qId"] = id, ["qType"] = qType },
                ["qMetaDef"] = new JsonObject { ["title"] = title },
                ["title"] = title,
            },
            ["qChildren"] = new JsonArray(children.Select(x => (JsonNode)x).ToArray()),
        };
        JsonObject Flat(string id, string qType, string key, JsonObject body) => new()
        {
            ["qInfo"] = new JsonObject { ["qId"] = id, ["qType"] = qType },
            ["qMetaDef"] = new JsonObject { ["title"] = id },
            [key] = body,
        };

        Add(SimObjectClass.GenericObject, "sheet", Sheet, adminId, true,
            Entry(Sheet, "sheet", "Overview", Entry(Chart, "barchart", "Sales by region"), Entry(Kpi, "kpi", "Total")), approved: true);
        Add(SimObjectClass.GenericObject, "story", Story, adminId, true,
            Entry(Story, "story", "Q1 story", Entry(Slide, "slide", "Intro", Entry(SlideItem, "slideitem", "Text"))), approved: true);
        Add(SimObjectClass.GenericObject, "masterobject", MasterViz, adminId, true, Entry(MasterViz, "masterobject", "Master chart"), approved: true);
        Add(SimObjectClass.Measure, "measure", Measure, adminId, true, Flat(Measure, "measure", "qMeasure", new JsonObject { ["qLabel"] = "Revenue", ["qDef"] = "Sum(Sales)" }), approved: true);
        Add(SimObjectClass.Dimension, "dimension", Dimension, adminId, true, Flat(Dimension, "dimension", "qDim", new JsonObject { ["qGrouping"] = "N", ["qFieldDefs"] = new JsonArray("Region") }), approved: true);
        Add(SimObjectClass.Bookmark, "bookmark", Bookmark, adminId, true, Flat(Bookmark, "bookmark", "qBookmark", new JsonObject { ["qStateData"] = new JsonArray() }));
        Add(SimObjectClass.Variable, "variable", Variable, null, false, new JsonObject
        {
            ["qInfo"] = new JsonObject { ["qId"] = Variable, ["qType"] = "variable" },
            ["qName"] = "vThreshold",
            ["qDefinition"] = "100",
            ["qComment"] = "sales threshold",
        });
        Add(SimObjectClass.GenericObject, "sheet", AlicePrivateSheet, aliceId, false, Entry(AlicePrivateSheet, "sheet", "Alice's notes", Entry("alice-chart", "table", "Mine")));
        Add(SimObjectClass.Bookmark, "bookmark", AlicePrivateBookmark, aliceId, false, Flat(AlicePrivateBookmark, "bookmark", "qBookmark", new JsonObject()));
        Add(SimObjectClass.GenericObject, "sheet", BobCommunitySheet, bobId, true, Entry(BobCommunitySheet, "sheet", "Bob's community sheet"));

        c.State.Apps.Add(app);
        return app.Id;
    });

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Client.DisposeAsync();
    }
}
