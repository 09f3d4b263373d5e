using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>
/// Create → list → get → replace → delete for every <see cref="QlikResourceKind"/>, through the methods each service
/// really has (PUT, PUT+GET, JSON Patch+GET), and the typed fields read from each service's member names.
/// </summary>
public sealed class ResourceRoundTripTests
{
    private static JsonElement Json(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();

    /// <summary>A create body, and the replacement body built from what the service returned.</summary>
    private sealed record Case(
        Func<string, JsonObject> Create,
        Func<QlikResource, JsonObject> Replace,
        Func<QlikResource, string?> Changed,
        string Expected,
        bool HasName = true);

    private static JsonObject Raw(QlikResource r) => JsonNode.Parse(r.Raw.GetRawText())!.AsObject();

    private static Case For(QlikResourceKind kind) => kind switch
    {
        QlikResourceKind.ReloadTask => new(
            appId => new JsonObject { ["appId"] = appId, ["timeZone"] = "UTC", ["recurrence"] = new JsonArray("RRULE:FREQ=DAILY;BYHOUR=2"), ["type"] = "scheduled_reload" },
            r => new JsonObject { ["appId"] = r.Raw.GetProperty("appId").GetString(), ["timeZone"] = "UTC", ["recurrence"] = new JsonArray("RRULE:FREQ=WEEKLY;BYDAY=MO"), ["state"] = "Enabled" },
            r => r.Raw.GetProperty("recurrence")[0].GetString(), "RRULE:FREQ=WEEKLY;BYDAY=MO", HasName: false),
        QlikResourceKind.DataAlert => new(
            appId => new JsonObject { ["name"] = "alert", ["appId"] = appId, ["conditionId"] = "cond-1", ["triggerType"] = "RELOAD", ["recipients"] = new JsonObject { ["userIds"] = new JsonArray() } },
            r => new JsonObject { ["id"] = r.Id, ["name"] = "alert (renamed)", ["dateCreated"] = "ignored" },
            r => r.Name, "alert (renamed)"),
        QlikResourceKind.SharingTask => new(
            appId => new JsonObject
            {
                ["name"] = "report", ["type"] = "template-sharing", ["subType"] = "pdf",
                ["templates"] = new JsonArray(new JsonObject { ["type"] = "sheet", ["sheetData"] = new JsonObject { ["appId"] = appId, ["sheetId"] = "s1" } }),
            },
            r => new JsonObject { ["name"] = "report (renamed)", ["description"] = "weekly" },
            r => r.Name, "report (renamed)"),
        QlikResourceKind.Automation => new(
            _ => new JsonObject { ["name"] = "flow", ["state"] = "available", ["workspace"] = new JsonObject { ["blocks"] = new JsonArray() } },
            r => { var o = Raw(r); o["name"] = "flow (renamed)"; return o; },
            r => r.Name, "flow (renamed)"),
        QlikResourceKind.AutomationConnection => new(
            _ => new JsonObject { ["name"] = "crm", ["connectorId"] = "connector-1", ["params"] = new JsonArray() },
            r => new JsonObject { ["name"] = "crm (renamed)", ["params"] = new JsonArray() },
            r => r.Name, "crm (renamed)"),
        QlikResourceKind.DataConnection => new(
            _ => new JsonObject { ["qName"] = "warehouse", ["qConnectStatement"] = "CUSTOM CONNECT TO \"provider=x\"", ["qType"] = "QvOdbcConnectorPackage.exe", ["datasourceID"] = "postgres" },
            r => { var o = Raw(r); o["qName"] = "warehouse2"; return o; },
            r => r.Name, "warehouse2"),
        QlikResourceKind.Webhook => new(
            _ => new JsonObject { ["name"] = "hook", ["url"] = "https://example.invalid/hook", ["eventTypes"] = new JsonArray("com.qlik.v1.app.created"), ["enabled"] = false },
            r => { var o = Raw(r); o["name"] = "hook (renamed)"; return o; },
            r => r.Name, "hook (renamed)"),
        QlikResourceKind.IdentityProvider => new(
            _ => new JsonObject
            {
                ["protocol"] = "OIDC", ["provider"] = "generic", ["description"] = "corporate idp", ["interactive"] = false,
                ["options"] = new JsonObject { ["discoveryUrl"] = "https://idp.example.invalid/.well-known/openid-configuration", ["claimsMapping"] = new JsonObject() },
            },
            r => new JsonObject { ["id"] = r.Id, ["description"] = "corporate idp v2", ["created"] = "ignored" },
            r => r.Name, "corporate idp v2"),
        QlikResourceKind.User => new(
            _ => new JsonObject { ["name"] = "Bob", ["email"] = "bob@simulated.example", ["subject"] = "auth0|bob", ["status"] = "invited" },
            r => new JsonObject { ["name"] = "Robert", ["subject"] = "ignored" },
            r => r.Name, "Robert"),
        QlikResourceKind.Group => new(
            _ => new JsonObject { ["name"] = "analysts", ["status"] = "active" },
            r => new JsonObject { ["assignedRoles"] = new JsonArray(new JsonObject { ["name"] = "Developer" }) },
            r => r.Raw.GetProperty("assignedRoles").EnumerateArray().Select(x => x.GetProperty("name").GetString()).FirstOrDefault(), "Developer"),
        QlikResourceKind.ApiKey => new(
            _ => new JsonObject { ["description"] = "ci key", ["expiry"] = "P30D" },
            r => new JsonObject { ["description"] = "ci key (rotated)" },
            r => r.Name, "ci key (rotated)"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static TheoryData<QlikResourceKind> JsonKinds => new(Enum.GetValues<QlikResourceKind>().Where(k => k != QlikResourceKind.Theme));

    [Theory]
    [MemberData(nameof(JsonKinds))]
    public async Task Resource_round_trips_through_its_own_endpoints(QlikResourceKind kind)
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await h.Client.CreateAppAsync("host app", null, null);
        var c = For(kind);

        var created = await h.Client.CreateAsync(kind, Json(c.Create(app.Id)));
        var listed = new List<QlikResource>();
        await foreach (var r in h.Client.ListAsync(kind)) listed.Add(r);
        var read = await h.Client.GetAsync(kind, created.Id);
        var replaced = await h.Client.ReplaceAsync(kind, created.Id, Json(c.Replace(created)));
        var reread = await h.Client.GetAsync(kind, created.Id);
        await h.Client.DeleteAsync(kind, created.Id);
        var gone = await h.Client.GetAsync(kind, created.Id);

        Assert.False(string.IsNullOrEmpty(created.Id));
        if (c.HasName) Assert.False(string.IsNullOrEmpty(created.Name));
        Assert.Contains(listed, r => r.Id == created.Id);
        Assert.Equal(created.Id, read?.Id);
        Assert.Equal(c.Expected, c.Changed(replaced));
        Assert.Equal(c.Expected, c.Changed(reread!));
        Assert.Null(gone);
    }

    [Fact]
    public async Task Typed_fields_come_from_each_services_member_names()
    {
        await using var h = await ClientHarness.StartAsync();
        var space = await h.Client.CreateSpaceAsync("conn-space", "shared", null);
        var body = For(QlikResourceKind.DataConnection).Create("");
        body["space"] = space.Id;

        var connection = await h.Client.CreateAsync(QlikResourceKind.DataConnection, Json(body));
        var app = await h.Client.CreateAppAsync("tasked", null, space.Id);
        var task = await h.Client.CreateAsync(QlikResourceKind.ReloadTask, Json(For(QlikResourceKind.ReloadTask).Create(app.Id)));

        // data-connections name things qID/qName/space/user; reload-tasks have userId as owner and no name.
        Assert.Equal(connection.Raw.GetProperty("qID").GetString(), connection.Id);
        Assert.Equal("warehouse", connection.Name);
        Assert.Equal(space.Id, connection.SpaceId);
        Assert.Equal(h.Simulator.AdminUserId, connection.OwnerId);
        Assert.Null(task.Name);
        Assert.Equal(space.Id, task.SpaceId);
        Assert.Equal(h.Simulator.AdminUserId, task.OwnerId);
    }

    [Fact]
    public async Task Lists_with_offset_and_page_cursors_are_followed_to_the_end()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await h.Client.CreateAppAsync("alerted", null, null);
        var alerts = new List<string>();
        var connections = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var a = For(QlikResourceKind.DataAlert).Create(app.Id);
            a["name"] = $"alert-{i}";
            alerts.Add((await h.Client.CreateAsync(QlikResourceKind.DataAlert, Json(a))).Id);
            var dc = For(QlikResourceKind.DataConnection).Create("");
            dc["qName"] = $"conn-{i}";
            connections.Add((await h.Client.CreateAsync(QlikResourceKind.DataConnection, Json(dc))).Id);
        }
        h.Log.Clear();

        var listedAlerts = new List<string>();
        await foreach (var r in h.Client.ListAsync(QlikResourceKind.DataAlert)) listedAlerts.Add(r.Id);
        var listedConnections = new List<string>();
        await foreach (var r in h.Client.ListAsync(QlikResourceKind.DataConnection)) listedConnections.Add(r.Id);

        Assert.Equal(alerts.Order(), listedAlerts.Order());
        Assert.Superset(connections.ToHashSet(), listedConnections.ToHashSet());
        Assert.True(h.Log.Matching("GET", "/api/v1/data-alerts").Count() >= 3);
        Assert.True(h.Log.Matching("GET", "/api/v1/data-connections").Count() >= 3);
    }

    [Fact]
    public async Task Theme_zip_uploads_downloads_identically_and_lists()
    {
        await using var h = await ClientHarness.StartAsync();
        var zip = ThemeZip("corporate-theme");

        var theme = await h.Client.UploadThemeAsync(new MemoryStream(zip), "corporate-theme.zip");
        await using var download = await h.Client.DownloadThemeAsync(theme.Id);
        using var copy = new MemoryStream();
        await download.CopyToAsync(copy);
        var listed = new List<QlikResource>();
        await foreach (var t in h.Client.ListAsync(QlikResourceKind.Theme)) listed.Add(t);

        Assert.Equal(zip, copy.ToArray());
        Assert.Contains(listed, t => t.Id == theme.Id);
        Assert.Equal(theme.Id, (await h.Client.GetAsync(QlikResourceKind.Theme, theme.Id))?.Id);
        Assert.DoesNotContain(h.Log.Requests, r => r.PathAndQuery.StartsWith("/api/v1/themes?"));
        await Assert.ThrowsAsync<NotSupportedException>(() => h.Client.CreateAsync(QlikResourceKind.Theme, Json(new JsonObject())));
        var renamed = await h.Client.ReplaceAsync(QlikResourceKind.Theme, theme.Id, Json(new JsonObject { ["name"] = "Corporate (v2)" }));
        Assert.Equal("Corporate (v2)", renamed.Name);
        Assert.Single(h.Log.Matching("PATCH", $"/api/v1/themes/{theme.Id}"));
        await h.Client.DeleteAsync(QlikResourceKind.Theme, theme.Id);
        Assert.Null(await h.Client.GetAsync(QlikResourceKind.Theme, theme.Id));
    }

    /// <summary>A minimal theme archive: a .qext manifest and theme.json.</summary>
    internal static byte[] ThemeZip(string name)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, string text)
            {
                using var w = new StreamWriter(archive.CreateEntry(path).Open());
                w.Write(text);
            }
            Add($"{name}.qext", $$"""{"name":"{{name}}","type":"theme","version":"1.0.0","author":"tests"}""");
            Add("theme.json", """{"_inherit":true,"color":"#123456"}""");
        }
        return buffer.ToArray();
    }
}
