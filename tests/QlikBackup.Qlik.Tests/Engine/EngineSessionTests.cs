using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;
using QlikBackup.Qlik.Tests.Support;
using Xunit;
using static QlikBackup.Qlik.Tests.Engine.EngineHarness;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>Each Engine operation a backup and a restore use, through the real client against the simulated Engine.</summary>
public sealed class EngineSessionTests
{
    [Fact]
    public async Task ListObjects_gives_every_object_with_class_owner_and_publish_state()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var objects = (await session.ListObjectsAsync()).ToDictionary(o => o.QId);

        Assert.Equal(h.AppId, session.AppId);
        Assert.Equal(EngineObjectClass.GenericObject, objects[Sheet].Class);
        Assert.Equal("sheet", objects[Sheet].QType);
        Assert.Equal(h.AdminId, objects[Sheet].OwnerId);
        Assert.True(objects[Sheet].Published);
        Assert.True(objects[Sheet].Approved);
        Assert.NotNull(objects[Sheet].ModifiedDate);
        // Children of sheets and stories are listed too, as generic objects.
        Assert.Equal(("barchart", EngineObjectClass.GenericObject), (objects[Chart].QType, objects[Chart].Class));
        Assert.Equal(("slideitem", EngineObjectClass.GenericObject), (objects[SlideItem].QType, objects[SlideItem].Class));
        Assert.Equal(EngineObjectClass.GenericObject, objects[MasterViz].Class);
        Assert.Equal(EngineObjectClass.Measure, objects[Measure].Class);
        Assert.Equal(EngineObjectClass.Dimension, objects[Dimension].Class);
        Assert.Equal(EngineObjectClass.Bookmark, objects[Bookmark].Class);
        Assert.Equal(EngineObjectClass.Variable, objects[Variable].Class);
        Assert.Null(objects[Variable].OwnerId);
        // Bob's community sheet: published, not approved, owned by bob.
        Assert.Equal((h.BobId, true, false), (objects[BobCommunitySheet].OwnerId, objects[BobCommunitySheet].Published, objects[BobCommunitySheet].Approved));
    }

    [Fact]
    public async Task Sheet_full_property_tree_is_read_and_written_with_its_children()
    {
        await using var h = await StartAsync();
        await using (var session = await h.OpenAsync())
        {
            var tree = Node(await session.GetPropertiesAsync(EngineObjectClass.GenericObject, Sheet));
            Assert.Equal(Sheet, tree["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>());
            var children = tree["qChildren"]!.AsArray();
            Assert.Equal([Chart, Kpi], children.Select(c => c!["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>()));

            tree["qProperty"]!["title"] = "Overview (edited)";
            children[0]!["qProperty"]!["title"] = "Sales by country";
            children.RemoveAt(1);
            children.Add(new JsonObject
            {
                ["qProperty"] = new JsonObject { ["qInfo"] = new JsonObject { ["qId"] = "new-table", ["qType"] = "table" }, ["title"] = "Detail" },
                ["qChildren"] = new JsonArray(),
            });
            await session.SetPropertiesAsync(EngineObjectClass.GenericObject, Sheet, Element(tree));
            await session.SaveAsync();
        }

        // A new session (a new socket) sees what the first one wrote.
        await using var again = await h.OpenAsync();
        var reread = Node(await again.GetPropertiesAsync(EngineObjectClass.GenericObject, Sheet));
        Assert.Equal("Overview (edited)", reread["qProperty"]!["title"]!.GetValue<string>());
        var ids = reread["qChildren"]!.AsArray().Select(c => c!["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>()).ToList();
        Assert.Equal([Chart, "new-table"], ids);
        Assert.Equal("Sales by country", reread["qChildren"]![0]!["qProperty"]!["title"]!.GetValue<string>());
        var listed = (await again.ListObjectsAsync()).Select(o => o.QId).ToHashSet();
        Assert.Contains("new-table", listed);
        Assert.DoesNotContain(Kpi, listed);
    }

    [Fact]
    public async Task Story_tree_holds_slides_and_slide_items()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var tree = Node(await session.GetPropertiesAsync(EngineObjectClass.GenericObject, Story));

        var slide = tree["qChildren"]!.AsArray().Single()!;
        Assert.Equal(Slide, slide["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>());
        Assert.Equal(SlideItem, slide["qChildren"]![0]!["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>());
    }

    public static TheoryData<EngineObjectClass, string, string> FlatObjects => new()
    {
        { EngineObjectClass.Measure, Measure, "/qMeasure/qLabel" },
        { EngineObjectClass.Dimension, Dimension, "/qMetaDef/title" },
        { EngineObjectClass.Bookmark, Bookmark, "/qMetaDef/title" },
        { EngineObjectClass.Variable, Variable, "/qDefinition" },
    };

    [Theory]
    [MemberData(nameof(FlatObjects))]
    public async Task Master_items_bookmarks_and_variables_are_read_and_written_with_GetProperties_SetProperties(EngineObjectClass cls, string qId, string path)
    {
        await using var h = await StartAsync();
        var modifiedBefore = h.Model(d => d.Objects[qId].ModifiedDate);
        await using (var session = await h.OpenAsync())
        {
            var props = Node(await session.GetPropertiesAsync(cls, qId));
            Assert.Equal(qId, props["qInfo"]!["qId"]!.GetValue<string>());
            Set(props, path, "changed by test");
            await session.SetPropertiesAsync(cls, qId, Element(props));
        }

        await using var again = await h.OpenAsync();
        var reread = Node(await again.GetPropertiesAsync(cls, qId));
        Assert.Equal("changed by test", Get(reread, path));
        Assert.True(h.Model(d => d.Objects[qId].ModifiedDate) >= modifiedBefore);
    }

    [Fact]
    public async Task Master_visualisation_is_a_generic_object_with_a_property_tree()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var tree = Node(await session.GetPropertiesAsync(EngineObjectClass.GenericObject, MasterViz));
        tree["qProperty"]!["qMetaDef"]!["title"] = "Renamed master";
        await session.SetPropertiesAsync(EngineObjectClass.GenericObject, MasterViz, Element(tree));

        var listed = (await session.ListObjectsAsync()).Single(o => o.QId == MasterViz);
        Assert.Equal("masterobject", listed.QType);
        Assert.Equal("Renamed master", h.Model(d => d.Objects[MasterViz].Properties["qProperty"]!["qMetaDef"]!["title"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_keeps_a_free_qId_writes_the_children_and_destroy_removes_them()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();
        var tree = Json("""
            {"qProperty":{"qInfo":{"qId":"restored-sheet","qType":"sheet"},"qMetaDef":{"title":"Restored"},"title":"Restored"},
             "qChildren":[{"qProperty":{"qInfo":{"qId":"restored-chart","qType":"linechart"},"title":"Trend"},"qChildren":[]}]}
            """);

        var qId = await session.CreateAsync(EngineObjectClass.GenericObject, tree);

        Assert.Equal("restored-sheet", qId);
        var read = Node(await session.GetPropertiesAsync(EngineObjectClass.GenericObject, qId));
        Assert.Equal("restored-chart", read["qChildren"]![0]!["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>());
        var created = (await session.ListObjectsAsync()).Single(o => o.QId == qId);
        Assert.Equal((h.AdminId, false), (created.OwnerId, created.Published));

        Assert.True(await session.DestroyAsync(EngineObjectClass.GenericObject, qId));
        var after = (await session.ListObjectsAsync()).Select(o => o.QId).ToList();
        Assert.DoesNotContain("restored-sheet", after);
        Assert.DoesNotContain("restored-chart", after);
        Assert.False(await session.DestroyAsync(EngineObjectClass.GenericObject, qId));
    }

    [Fact]
    public async Task Create_with_a_qId_in_use_gets_a_new_id()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();
        var props = Node(await session.GetPropertiesAsync(EngineObjectClass.Measure, Measure));

        var qId = await session.CreateAsync(EngineObjectClass.Measure, Element(props));

        Assert.NotEqual(Measure, qId);
        Assert.Equal("Revenue", Node(await session.GetPropertiesAsync(EngineObjectClass.Measure, qId))["qMeasure"]!["qLabel"]!.GetValue<string>());
    }

    public static TheoryData<EngineObjectClass, string> CreatableFlat => new()
    {
        { EngineObjectClass.Measure, """{"qInfo":{"qId":"m-new","qType":"measure"},"qMeasure":{"qLabel":"Margin","qDef":"Sum(Margin)"},"qMetaDef":{"title":"Margin"}}""" },
        { EngineObjectClass.Dimension, """{"qInfo":{"qId":"d-new","qType":"dimension"},"qDim":{"qGrouping":"N","qFieldDefs":["Country"]},"qMetaDef":{"title":"Country"}}""" },
        { EngineObjectClass.Bookmark, """{"qInfo":{"qId":"b-new","qType":"bookmark"},"qMetaDef":{"title":"Nordics"}}""" },
        { EngineObjectClass.Variable, """{"qInfo":{"qId":"v-new","qType":"variable"},"qName":"vNew","qDefinition":"=1+1"}""" },
    };

    [Theory]
    [MemberData(nameof(CreatableFlat))]
    public async Task Create_and_destroy_each_flat_class(EngineObjectClass cls, string json)
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();
        var wanted = Node(Json(json))["qInfo"]!["qId"]!.GetValue<string>();

        var qId = await session.CreateAsync(cls, Json(json));

        Assert.Equal(wanted, qId);
        Assert.Contains(await session.ListObjectsAsync(), o => o.QId == qId && o.Class == cls);
        Assert.True(await session.DestroyAsync(cls, qId));
        Assert.DoesNotContain(await session.ListObjectsAsync(), o => o.QId == qId);
        Assert.False(h.Model(d => d.Objects.ContainsKey(qId)));
    }

    [Fact]
    public async Task Variable_names_stay_unique()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var e = await Assert.ThrowsAsync<QlikEngineException>(() =>
            session.CreateAsync(EngineObjectClass.Variable, Json("""{"qInfo":{"qType":"variable"},"qName":"vThreshold","qDefinition":"1"}""")));

        Assert.Equal(18001, e.Code);
        Assert.Equal("CreateVariableEx", e.Method);
    }

    [Fact]
    public async Task Script_is_read_and_written_and_DoSave_records_the_app_save()
    {
        await using var h = await StartAsync();
        var savesBefore = h.AuditCount("com.qlik.v1.app.data.updated");
        await using (var session = await h.OpenAsync())
        {
            Assert.Equal("LOAD * INLINE [a\n1];", await session.GetScriptAsync());
            await session.SetScriptAsync("// restored\nLOAD 1 AS x AUTOGENERATE 1;");
            await session.SaveAsync();
        }

        await using var again = await h.OpenAsync();
        Assert.Equal("// restored\nLOAD 1 AS x AUTOGENERATE 1;", await again.GetScriptAsync());
        // SetScript and DoSave each saved the app, as the acting (OAuth) admin.
        Assert.Equal(savesBefore + 2, h.AuditCount("com.qlik.v1.app.data.updated"));
        var last = h.Tenant.Read(s => s.Audits.Last());
        Assert.Equal(h.AdminId, last.UserId);
        Assert.Equal(ClientHarness.OAuthClientId, last.Extensions["actor"]!["clientId"]!.GetValue<string>());
        Assert.Equal("// restored\nLOAD 1 AS x AUTOGENERATE 1;", h.Tenant.Read(s => s.FindApp(h.AppId)!.ScriptVersions.Last().Script));
    }

    [Fact]
    public async Task App_properties_are_read_and_written()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var props = Node(await session.GetAppPropertiesAsync());
        Assert.Equal("Sales", props["qTitle"]!.GetValue<string>());
        props["qTitle"] = "Sales (restored)";
        props["qLastReloadTime"] = "1999-01-01T00:00:00.000Z";
        await session.SetAppPropertiesAsync(Element(props));

        var reread = Node(await session.GetAppPropertiesAsync());
        Assert.Equal("Sales (restored)", reread["qTitle"]!.GetValue<string>());
        // The engine keeps its own reload time; the app's REST name follows qTitle.
        Assert.Equal("2026-01-01T00:00:00.000Z", reread["qLastReloadTime"]!.GetValue<string>());
        Assert.Equal("Sales (restored)", h.Tenant.Read(s => s.FindApp(h.AppId)!.Name));
    }

    [Fact]
    public async Task Publish_state_can_be_restored()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();
        var qId = await session.CreateAsync(EngineObjectClass.GenericObject, Json("""{"qProperty":{"qInfo":{"qId":"to-publish","qType":"sheet"}},"qChildren":[]}"""));

        await session.SetPublishStateAsync(EngineObjectClass.GenericObject, qId, published: true, approved: true);
        var published = (await session.ListObjectsAsync()).Single(o => o.QId == qId);
        await session.SetPublishStateAsync(EngineObjectClass.GenericObject, qId, published: false, approved: false);
        var unpublished = (await session.ListObjectsAsync()).Single(o => o.QId == qId);

        Assert.Equal((true, true), (published.Published, published.Approved));
        Assert.Equal((false, false), (unpublished.Published, unpublished.Approved));
    }

    [Fact]
    public async Task Concurrent_calls_on_one_session_get_their_own_answers()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();
        string[] ids = [Sheet, Story, MasterViz, BobCommunitySheet];

        var trees = await Task.WhenAll(Enumerable.Range(0, 5).SelectMany(_ => ids)
            .Select(id => session.GetPropertiesAsync(EngineObjectClass.GenericObject, id)));

        Assert.Equal(Enumerable.Range(0, 5).SelectMany(_ => ids), trees.Select(t => t.GetProperty("qProperty").GetProperty("qInfo").GetProperty("qId").GetString()));
    }

    [Fact]
    public async Task Unknown_object_maps_to_a_typed_not_found_error()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var e = await Assert.ThrowsAsync<QlikEngineException>(() => session.GetPropertiesAsync(EngineObjectClass.GenericObject, "no-such-object"));

        Assert.Equal(QixErrorCodes.NotFound, e.Code);
        Assert.True(e.IsNotFound);
        Assert.Equal("no-such-object", e.Parameter);
        Assert.Equal("GetObject", e.Method);
        Assert.Equal("Resource not found", e.EngineMessage);
    }

    [Fact]
    public async Task Unknown_app_fails_OpenDoc_with_app_not_found()
    {
        await using var h = await StartAsync();

        var e = await Assert.ThrowsAsync<QlikEngineException>(() => h.OpenAsync(appId: Guid.NewGuid().ToString()));

        Assert.Equal(QixErrorCodes.AppNotFound, e.Code);
        Assert.Equal("OpenDoc", e.Method);
    }

    private static void Set(JsonObject root, string path, string value)
    {
        var segments = path.Trim('/').Split('/');
        var node = segments[..^1].Aggregate((JsonNode)root, (n, s) => n[s]!);
        node[segments[^1]] = value;
    }

    private static string? Get(JsonObject root, string path)
        => path.Trim('/').Split('/').Aggregate((JsonNode?)root, (n, s) => n?[s])?.GetValue<string>();
}
