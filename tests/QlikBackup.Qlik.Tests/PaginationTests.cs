using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>Lists follow links.next until it is absent (page size 3 in the harness, so a handful of rows spans pages).</summary>
public sealed class PaginationTests
{
    [Fact]
    public async Task ListSpaces_follows_links_next_across_several_pages()
    {
        await using var h = await ClientHarness.StartAsync();
        var created = new List<string>();
        for (var i = 0; i < 8; i++)
            created.Add((await h.Client.CreateSpaceAsync($"paging-{i}", "shared", null)).Id);
        h.Log.Clear();

        var listed = new List<QlikSpace>();
        await foreach (var s in h.Client.ListSpacesAsync()) listed.Add(s);

        Assert.Superset(created.ToHashSet(), listed.Select(s => s.Id).ToHashSet());
        Assert.Equal(listed.Count, listed.Select(s => s.Id).Distinct().Count());
        var pages = h.Log.Matching("GET", "/api/v1/spaces").ToList();
        Assert.True(pages.Count >= 3, $"expected >= 3 page requests, saw {pages.Count}");
        Assert.StartsWith("/api/v1/spaces?limit=3", pages[0].PathAndQuery);
        // Later pages are whatever links.next said, which carries the service's cursor.
        Assert.All(pages.Skip(1), p => Assert.NotEqual(pages[0].PathAndQuery, p.PathAndQuery));
    }

    [Fact]
    public async Task ListItems_and_assignments_span_pages_and_filter_by_space()
    {
        await using var h = await ClientHarness.StartAsync();
        var space = await h.Client.CreateSpaceAsync("items-space", "shared", "with apps");
        var other = await h.Client.CreateSpaceAsync("other-space", "shared", null);
        var apps = new List<string>();
        for (var i = 0; i < 5; i++) apps.Add((await h.Client.CreateAppAsync($"app-{i}", null, space.Id)).Id);
        await h.Client.CreateAppAsync("elsewhere", null, other.Id);
        var users = Enumerable.Range(0, 4).Select(i => h.AddUser($"member{i}")).ToList();
        foreach (var u in users) await h.Client.CreateSpaceAssignmentAsync(space.Id, "user", u, ["consumer"]);

        var items = new List<QlikItem>();
        await foreach (var item in h.Client.ListItemsAsync("app", space.Id)) items.Add(item);
        var assignments = new List<QlikSpaceAssignment>();
        await foreach (var a in h.Client.ListSpaceAssignmentsAsync(space.Id)) assignments.Add(a);

        Assert.Equal(apps.Order(), items.Select(i => i.ResourceId).Order());
        Assert.All(items, i => Assert.Equal("app", i.ResourceType));
        Assert.Superset(users.ToHashSet(), assignments.Select(a => a.AssigneeId).ToHashSet());
        Assert.All(assignments.Where(a => users.Contains(a.AssigneeId)), a => Assert.Equal(["consumer"], a.Roles));
        Assert.True(h.Log.Matching("GET", "/api/v1/items").Count() >= 2);
        Assert.True(h.Log.Matching("GET", $"/api/v1/spaces/{space.Id}/assignments").Count() >= 2);
    }

    [Fact]
    public async Task ListAudits_pages_and_filters_by_eventTime_interval()
    {
        await using var h = await ClientHarness.StartAsync();
        for (var i = 0; i < 4; i++) await h.Client.CreateSpaceAsync($"before-{i}", "shared", null);
        await Task.Delay(50);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var after = new List<string>();
        for (var i = 0; i < 5; i++) after.Add((await h.Client.CreateSpaceAsync($"after-{i}", "shared", null)).Id);

        var all = new List<QlikAuditEvent>();
        await foreach (var e in h.Client.ListAuditsAsync()) all.Add(e);
        var recent = new List<QlikAuditEvent>();
        await foreach (var e in h.Client.ListAuditsAsync(since: since, eventType: "com.qlik.space.created")) recent.Add(e);

        Assert.True(all.Count >= 9, $"expected at least the 9 space events, got {all.Count}");
        Assert.All(recent, e => Assert.True(e.EventTime >= since, $"{e.EventType} at {e.EventTime:o} is before {since:o}"));
        Assert.All(recent, e => Assert.Equal("com.qlik.space.created", e.EventType));
        Assert.Equal(5, recent.Count);
        Assert.All(recent, e => Assert.Equal(h.Simulator.AdminUserId, e.UserId));
        Assert.Contains(h.Log.Requests, r => r.PathAndQuery.StartsWith("/api/v1/audits?") && r.PathAndQuery.Contains("eventTime="));
        Assert.True(h.Log.Matching("GET", "/api/v1/audits").Count() >= 4);
    }
}
