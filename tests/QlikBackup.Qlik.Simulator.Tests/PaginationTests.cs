using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

public sealed class LargeTenantFixture : SimulatorFixture
{
    protected override DemoTenantSpec Spec => DemoTenantSpec.Large with { QvfDataBytes = 1024 };
}

/// <summary>Following links.next visits every item exactly once, in each cursor style Qlik uses.</summary>
public sealed class PaginationTests(LargeTenantFixture sim) : IClassFixture<LargeTenantFixture>
{
    private static void AssertAllOnce(IEnumerable<string> expected, List<JsonObject> items, string idField = "id")
    {
        var ids = items.Select(i => i[idField]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(expected.Order(), ids.Order());
    }

    [Fact]
    public async Task Items_next_cursor_over_many_pages()
    {
        var (items, pages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/items?resourceType=app&limit=7");
        var visible = sim.Host.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).Select(a => a.Id).ToList());
        Assert.True(visible.Count >= 50);
        Assert.True(pages > 7);
        AssertAllOnce(visible, items.Select(i => new JsonObject { ["id"] = i["resourceId"]!.GetValue<string>() }).ToList());
    }

    [Fact]
    public async Task Spaces_and_prev_links()
    {
        var (items, pages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/spaces?limit=2");
        AssertAllOnce(sim.Host.Tenant.Read(s => s.Spaces.Select(x => x.Id).ToList()), items);
        Assert.True(pages >= 3);
        var second = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync((await SimulatorFixture.ReadJson(await sim.Admin.GetAsync("/api/v1/spaces?limit=2")))["links"]!["next"]!["href"]!.GetValue<string>()));
        var back = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync(second["links"]!["prev"]!["href"]!.GetValue<string>()));
        Assert.Equal(items[0]["id"]!.GetValue<string>(), back["data"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Page_cursor_for_data_connections()
    {
        var (items, pages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/data-connections?limit=2");
        Assert.True(pages > 1);
        AssertAllOnce(sim.Host.Tenant.Read(s => s.Resource("data-connections").Select(d => d["qID"]!.GetValue<string>()).ToList()), items, "qID");
    }

    [Fact]
    public async Task StartingAfter_cursor_for_api_keys_and_offset_for_data_alerts()
    {
        var (keys, keyPages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/api-keys?limit=2");
        Assert.True(keyPages > 1);
        AssertAllOnce(sim.Host.Tenant.Read(s => s.ApiKeys.Select(k => k.Id).ToList()), keys);
        Assert.All(keys, k => Assert.Null(k["token"]));

        var (alerts, alertPages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/data-alerts?limit=1", "tasks");
        Assert.Equal(3, alertPages);
        AssertAllOnce(sim.Host.Tenant.Read(s => s.Resource("data-alerts").Select(d => d["id"]!.GetValue<string>()).ToList()), alerts);
    }

    [Fact]
    public async Task Audits_filtered_by_type_and_time()
    {
        var (all, pages) = await QlikAssert.AllPagesAsync(sim.Admin, "/api/v1/audits?eventType=com.qlik.v1.app.created&limit=10");
        Assert.True(pages > 1);
        Assert.All(all, e => Assert.Equal("com.qlik.v1.app.created", e["eventType"]!.GetValue<string>()));
        var times = all.Select(e => DateTimeOffset.Parse(e["eventTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times); // default sort -eventTime
        var cut = times[times.Count / 2];
        var (later, _) = await QlikAssert.AllPagesAsync(sim.Admin, $"/api/v1/audits?eventType=com.qlik.v1.app.created&eventTime={Uri.EscapeDataString(cut.ToString("O"))}/&limit=100");
        Assert.Equal(times.Count(t => t >= cut), later.Count);
    }
}
