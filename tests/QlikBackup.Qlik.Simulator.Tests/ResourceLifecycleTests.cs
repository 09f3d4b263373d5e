using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>Create → get → list → update → delete → 404 for each JSON resource, and the app lifecycle endpoints.</summary>
public sealed class ResourceLifecycleTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private string SharedApp() => sim.Host.Tenant.Read(s => s.Apps.First(a => a.SpaceId is not null && !a.Published).Id);
    private string SharedSpace() => sim.Host.Tenant.Read(s => s.Spaces.First(x => x.Type == SpaceTypes.Shared).Id);
    private string ManagedSpace() => sim.Host.Tenant.Read(s => s.Spaces.First(x => x.Type == SpaceTypes.Managed).Id);

    public static TheoryData<string, string, string, string, string> Resources => new()
    {
        // path, id field, list property, create body, update ("put:{json}" or "patch:{json}")
        { "/api/v1/reload-tasks", "id", "data", """{"appId":"$APP","timeZone":"UTC","recurrence":["RRULE:FREQ=DAILY;BYHOUR=3"],"type":"scheduled_reload"}""",
          """put:{"appId":"$APP","timeZone":"Europe/Paris","recurrence":["RRULE:FREQ=WEEKLY;BYDAY=MO"],"state":"Disabled"}""" },
        { "/api/v1/automations", "id", "data", """{"name":"auto","workspace":{"blocks":[]},"schedules":[]}""", """put:{"name":"auto2","workspace":{"blocks":[1]},"state":"disabled"}""" },
        { "/api/v1/automation-connections", "id", "data", """{"name":"conn","connectorId":"c1","params":[{"name":"password","value":"x"}]}""", """put:{"name":"conn2","params":[]}""" },
        { "/api/v1/data-connections", "qID", "data", """{"qName":"dc","qType":"folder","qConnectStatement":"path=/x","space":"$SPACE","qPassword":"p"}""", """patch:[{"op":"replace","path":"/qName","value":"dc2"}]""" },
        { "/api/v1/webhooks", "id", "data", """{"name":"wh","url":"http://127.0.0.1:9/x","eventTypes":["com.qlik.v1.app.deleted"],"secret":"s"}""", """patch:[{"op":"replace","path":"/enabled","value":true}]""" },
        { "/api/v1/identity-providers", "id", "data", """{"protocol":"OIDC","provider":"generic","options":{"clientId":"a","clientSecret":"b"}}""", """patch:[{"op":"replace","path":"/description","value":"d"}]""" },
        { "/api/v1/data-alerts", "id", "tasks", """{"appId":"$APP","name":"alert","conditionId":"c1"}""", """patch:[{"op":"replace","path":"/name","value":"alert2"}]""" },
        { "/api/v1/sharing-tasks", "id", "sharingTasks", """{"name":"report","type":"template-sharing","templates":[{"sheetData":{"appId":"$APP"}}]}""", """patch:[{"op":"replace","path":"/name","value":"report2"}]""" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task Json_resource_lifecycle(string path, string idField, string listProperty, string create, string update)
    {
        string Fill(string json) => json.Replace("$APP", SharedApp()).Replace("$SPACE", SharedSpace());
        var created = await sim.Admin.PostAsync(path, new StringContent(Fill(create), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"{path}: {created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var doc = await SimulatorFixture.ReadJson(created);
        var id = doc[idField]!.GetValue<string>();
        foreach (var secret in new[] { "secret", "qPassword", "clientSecret" }) Assert.DoesNotContain($"\"{secret}\"", doc.ToJsonString());

        var got = await sim.Admin.GetAsync($"{path}/{id}");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        // Identity providers guard PATCH with the options hash served on GET.
        var optionsHash = got.Headers.TryGetValues("QLIK-IDP-POPTS", out var h) ? h.Single() : null;
        var (all, _) = await QlikAssert.AllPagesAsync(sim.Admin, path + "?limit=100", listProperty);
        Assert.Contains(all, x => x[idField]!.GetValue<string>() == id);

        var (verb, body) = (update[..update.IndexOf(':')], Fill(update[(update.IndexOf(':') + 1)..]));
        var request = new HttpRequestMessage(verb == "put" ? HttpMethod.Put : HttpMethod.Patch, $"{path}/{id}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (optionsHash is not null)
        {
            var stale = new HttpRequestMessage(HttpMethod.Patch, $"{path}/{id}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            await QlikAssert.ErrorAsync(await sim.Admin.SendAsync(stale), HttpStatusCode.PreconditionFailed);
            request.Headers.Add("QLIK-IDP-POPTS-MATCH", optionsHash);
        }
        var updated = await sim.Admin.SendAsync(request);
        Assert.True(updated.IsSuccessStatusCode, $"{path} {verb}: {updated.StatusCode} {await updated.Content.ReadAsStringAsync()}");
        var after = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"{path}/{id}"));
        var changes = JsonNode.Parse(body)!;
        if (changes is JsonObject o)
            foreach (var (k, v) in o) Assert.Equal(v!.ToJsonString(), after[k]!.ToJsonString());
        else
            foreach (var op in changes.AsArray()) Assert.Equal(op!["value"]!.ToJsonString(), after[op["path"]!.GetValue<string>()[1..]]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await sim.Admin.DeleteAsync($"{path}/{id}")).StatusCode);
        await QlikAssert.ErrorAsync(await sim.Admin.GetAsync($"{path}/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task App_lifecycle_copy_publish_republish_move_owner_reload_scripts()
    {
        var appId = SharedApp();
        var users = sim.Host.Tenant.Read(s => s.Users.Where(u => !u.IsTenantAdmin).Select(u => u.Id).ToList());

        var renamed = await SimulatorFixture.ReadJson(await sim.Admin.PutAsync($"/api/v1/apps/{appId}",
            SimulatorFixture.Json(new JsonObject { ["attributes"] = new JsonObject { ["name"] = "Renamed app" } })));
        Assert.Equal("Renamed app", renamed["attributes"]!["name"]!.GetValue<string>());

        var copy = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync($"/api/v1/apps/{appId}/copy",
            SimulatorFixture.Json(new JsonObject { ["attributes"] = new JsonObject { ["name"] = "Copy" } })));
        var copyId = copy["attributes"]!["id"]!.GetValue<string>();
        Assert.Equal(sim.Host.AdminUserId, copy["attributes"]!["ownerId"]!.GetValue<string>());

        var publish = await sim.Admin.PostAsync($"/api/v1/apps/{copyId}/publish", SimulatorFixture.Json(new JsonObject { ["spaceId"] = ManagedSpace() }));
        var published = await SimulatorFixture.ReadJson(publish);
        Assert.True(published["attributes"]!["published"]!.GetValue<bool>());
        Assert.Equal(copyId, published["attributes"]!["originAppId"]!.GetValue<string>());
        var publishedId = published["attributes"]!["id"]!.GetValue<string>();
        await QlikAssert.ErrorAsync(await sim.Admin.PostAsync($"/api/v1/apps/{copyId}/publish", SimulatorFixture.Json(new JsonObject { ["spaceId"] = SharedSpace() })), HttpStatusCode.BadRequest);

        var script = await sim.Admin.PostAsync($"/api/v1/apps/{copyId}/scripts", SimulatorFixture.Json(new JsonObject { ["script"] = "LOAD 1 AS x AUTOGENERATE 1;", ["versionMessage"] = "v2" }));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        var versions = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/apps/{copyId}/scripts"));
        var newest = versions["scripts"]![0]!;
        Assert.Equal("v2", newest["versionMessage"]!.GetValue<string>());
        Assert.Equal("LOAD 1 AS x AUTOGENERATE 1;", (await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/apps/{copyId}/scripts/{newest["scriptId"]}")))["script"]!.GetValue<string>());

        var republish = await sim.Admin.PutAsync($"/api/v1/apps/{copyId}/publish", SimulatorFixture.Json(new JsonObject { ["targetId"] = publishedId }));
        Assert.Equal(HttpStatusCode.OK, republish.StatusCode);
        Assert.Equal("LOAD 1 AS x AUTOGENERATE 1;", sim.Host.Tenant.Read(s => s.FindApp(publishedId)!.Document.Script));

        var reload = await sim.Admin.PostAsync("/api/v1/reloads", SimulatorFixture.Json(new JsonObject { ["appId"] = copyId }));
        Assert.Equal(HttpStatusCode.Created, reload.StatusCode);
        Assert.Equal("SUCCEEDED", (await SimulatorFixture.ReadJson(reload))["status"]!.GetValue<string>());
        Assert.NotEqual("", (await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/apps/{copyId}")))["attributes"]!["lastReloadTime"]!.GetValue<string>());

        var moved = await SimulatorFixture.ReadJson(await sim.Admin.PutAsync($"/api/v1/apps/{copyId}/space", SimulatorFixture.Json(new JsonObject { ["spaceId"] = SharedSpace() })));
        Assert.Equal(SharedSpace(), moved["attributes"]!["spaceId"]!.GetValue<string>());
        var owned = await SimulatorFixture.ReadJson(await sim.Admin.PutAsync($"/api/v1/apps/{copyId}/owner", SimulatorFixture.Json(new JsonObject { ["ownerId"] = users[0] })));
        Assert.Equal(users[0], owned["attributes"]!["ownerId"]!.GetValue<string>());

        var objectId = sim.Host.Tenant.Read(s => s.FindApp(copyId)!.Document.Objects.Values.First(o => o.QType == "sheet").Id);
        var changed = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync($"/api/v1/apps/{copyId}/objects/{objectId}/actions/change-owner",
            SimulatorFixture.Json(new JsonObject { ["ownerId"] = users[1] })));
        Assert.Equal(users[1], changed["attributes"]!["ownerId"]!.GetValue<string>());
        Assert.Equal("sheet", changed["attributes"]!["objectType"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await sim.Admin.DeleteAsync($"/api/v1/apps/{copyId}")).StatusCode);
        await QlikAssert.ErrorAsync(await sim.Admin.GetAsync($"/api/v1/apps/{copyId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Spaces_assignments_users_groups_themes_tenant()
    {
        var space = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync("/api/v1/spaces", SimulatorFixture.Json(new JsonObject { ["name"] = "Lifecycle", ["type"] = "managed" })));
        var spaceId = space["id"]!.GetValue<string>();
        var userId = sim.Host.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin).Id);
        var assignment = await sim.Admin.PostAsync($"/api/v1/spaces/{spaceId}/assignments", SimulatorFixture.Json(new JsonObject { ["type"] = "user", ["assigneeId"] = userId, ["roles"] = new JsonArray("consumer", "publisher") }));
        Assert.Equal(HttpStatusCode.Created, assignment.StatusCode);
        var again = await sim.Admin.PostAsync($"/api/v1/spaces/{spaceId}/assignments", SimulatorFixture.Json(new JsonObject { ["type"] = "user", ["assigneeId"] = userId, ["roles"] = new JsonArray("consumer") }));
        await QlikAssert.ErrorAsync(again, HttpStatusCode.Conflict);
        var badRole = await sim.Admin.PostAsync($"/api/v1/spaces/{spaceId}/assignments", SimulatorFixture.Json(new JsonObject { ["type"] = "user", ["assigneeId"] = sim.Host.AdminUserId, ["roles"] = new JsonArray("datapreview") }));
        await QlikAssert.ErrorAsync(badRole, HttpStatusCode.BadRequest);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/spaces/{spaceId}") { Content = SimulatorFixture.Json(new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/description", ["value"] = "patched" })) };
        Assert.Equal("patched", (await SimulatorFixture.ReadJson(await sim.Admin.SendAsync(patch)))["description"]!.GetValue<string>());
        var assignmentId = (await SimulatorFixture.ReadJson(assignment))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await sim.Admin.DeleteAsync($"/api/v1/spaces/{spaceId}/assignments/{assignmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await sim.Admin.DeleteAsync($"/api/v1/spaces/{spaceId}")).StatusCode);

        var group = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync("/api/v1/groups", SimulatorFixture.Json(new JsonObject { ["name"] = "Restorers", ["assignedRoles"] = new JsonArray(new JsonObject { ["name"] = "Developer" }) })));
        var user = await sim.Admin.PostAsync("/api/v1/users", SimulatorFixture.Json(new JsonObject { ["subject"] = "auth0|new", ["name"] = "New Person", ["email"] = "new@x.example" }));
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        var newUserId = (await SimulatorFixture.ReadJson(user))["id"]!.GetValue<string>();
        var patchUser = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{newUserId}")
        {
            Content = SimulatorFixture.Json(new JsonArray(
                new JsonObject { ["op"] = "replace", ["path"] = "/assignedGroups", ["value"] = new JsonArray(new JsonObject { ["id"] = group["id"]!.GetValue<string>() }) },
                new JsonObject { ["op"] = "replace", ["path"] = "/status", ["value"] = "active" })),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await sim.Admin.SendAsync(patchUser)).StatusCode);
        var filtered = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync("/api/v1/users?filter=" + Uri.EscapeDataString("subject eq \"auth0|new\"")));
        var found = Assert.Single(filtered["data"]!.AsArray())!;
        Assert.Equal("Restorers", found["assignedGroups"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("active", found["status"]!.GetValue<string>());

        var zip = DemoTenantSeeder.ThemeZipForTests();
        var form = new MultipartFormDataContent { { new ByteArrayContent(zip) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } }, "file", "t.zip" } };
        var theme = await sim.Admin.PostAsync("/api/v1/themes", form);
        Assert.Equal(HttpStatusCode.Created, theme.StatusCode);
        var themeId = (await SimulatorFixture.ReadJson(theme))["id"]!.GetValue<string>();
        Assert.Equal(zip, await (await sim.Admin.GetAsync($"/api/v1/themes/{themeId}/file")).Content.ReadAsByteArrayAsync());
        var rename = new MultipartFormDataContent { { new StringContent("""{"name":"Renamed theme"}"""), "data" } };
        var patched = await SimulatorFixture.ReadJson(await sim.Admin.PatchAsync($"/api/v1/themes/{themeId}", rename));
        Assert.Equal("Renamed theme", patched["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await sim.Admin.DeleteAsync($"/api/v1/themes/{themeId}")).StatusCode);

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sim.Host.BaseUrl };
        noRedirect.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sim.Host.AdminApiKey);
        var me = await noRedirect.GetAsync("/api/v1/tenants/me");
        Assert.Equal(HttpStatusCode.Redirect, me.StatusCode);
        var tenant = await SimulatorFixture.ReadJson(await noRedirect.GetAsync(me.Headers.Location));
        Assert.Equal(sim.Host.Tenant.TenantId, tenant["id"]!.GetValue<string>());
    }
}
