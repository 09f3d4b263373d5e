using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// The HTTP API end to end on the local host: real orchestrations on the Azure Storage backend over Azurite,
/// against the simulated tenant. The same handlers serve the Function app's HTTP triggers.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HttpApiTests(LocalEnvironmentFixture fixture)
{
    IRecoveryPointIndex Index => fixture.Env.Host.Services.GetRequiredService<IRecoveryPointIndex>();
    string TenantId => fixture.Env.Host.Services.GetRequiredService<ITenantContext>().TenantId;
    IQlikRestClient Qlik => fixture.Env.Host.Services.GetRequiredService<IQlikRestClient>();

    async Task<JsonElement> BackupTierAsync(string tier)
    {
        using HttpResponseMessage start = await fixture.Api.PostAsJsonAsync("api/backups", new { tier });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        JsonElement accepted = await start.Content.ReadFromJsonAsync<JsonElement>();
        JsonElement op = await fixture.WaitAsync(accepted.GetProperty("id").GetString()!);
        Assert.Equal("Completed", op.GetProperty("status").GetString());
        // The output is written by the API's rules, not Durable's: enums as names.
        Assert.Equal(tier, op.GetProperty("output").GetProperty("tier").GetString());
        return op;
    }

    static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("   at ", problem.GetRawText());
        return problem;
    }

    [Fact]
    public async Task Backup_now_captures_the_tier_and_points_are_searchable()
    {
        await BackupTierAsync("T3");

        var points = await fixture.Api.GetFromJsonAsync<JsonElement>("api/recovery-points?kind=App");
        Assert.True(points.GetArrayLength() > 0);
        Assert.All(points.EnumerateArray(), p => Assert.Equal("App", p.GetProperty("kind").GetString()));

        JsonElement status = await fixture.Api.GetFromJsonAsync<JsonElement>("api/status");
        JsonElement t3 = status.GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == "T3");
        Assert.False(t3.GetProperty("rpoBreached").GetBoolean());
    }

    [Fact]
    public async Task Status_lists_a_deleted_app_whose_history_continues_under_a_new_id()
    {
        // The end of an old id's history as a restore writes it: the catalog row, then a Deleted point naming the new id.
        string oldId = "status-lineage-" + Guid.NewGuid().ToString("N")[..8], newId = oldId + "-new";
        var at = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var marker = new RecoveryPoint
        {
            TenantId = TenantId, PointId = RecoveryPointIds.Create(AssetKind.App, oldId, at), Kind = AssetKind.App, AssetId = oldId, Name = "Lineage app",
            SpaceId = "space-lineage", CapturedAt = at, Status = RecoveryPointStatus.Deleted, RestoredAsId = newId,
        };
        var catalog = fixture.Env.Host.Services.GetRequiredService<Core.Capture.CapturedAssetCatalog>();
        Assert.True(await catalog.TryWriteAsync(TenantId, new Core.Capture.CapturedAsset(AssetKind.App, oldId, "space-lineage", "Lineage app", Tier.T3, RecoveryPointStatus.Deleted), marker.PointId, null));
        await Index.AddAsync(marker);

        JsonElement status = await fixture.Api.GetFromJsonAsync<JsonElement>("api/status");

        JsonElement restored = status.GetProperty("restored").EnumerateArray().Single(r => r.GetProperty("assetId").GetString() == oldId);
        Assert.Equal(("App", "Lineage app", newId, at), (restored.GetProperty("kind").GetString(), restored.GetProperty("name").GetString(),
            restored.GetProperty("restoredAsId").GetString(), restored.GetProperty("restoredAt").GetDateTimeOffset()));
    }

    [Fact]
    public void On_a_cold_start_the_first_request_a_GET_answers_JSON()
    {
        Assert.Equal(200, fixture.FirstGet.Status);
        Assert.Equal("application/json", fixture.FirstGet.MediaType);
        Assert.Contains("\"defaultTier\":\"T", fixture.FirstGet.Body);
    }

    [Fact]
    public async Task A_failed_operation_answers_its_failure_as_text()
    {
        string id = await fixture.Env.Host.Client.ScheduleNewOrchestrationInstanceAsync("NoSuchOrchestrator");
        JsonElement op = await fixture.WaitAsync(id);

        Assert.Equal("Failed", op.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, op.GetProperty("output").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(op.GetProperty("failure").GetString()));
    }

    [Fact]
    public async Task Enums_are_names_and_only_names_are_accepted()
    {
        using HttpResponseMessage flags = await fixture.Api.PostAsync("api/backups", new StringContent("""{"tier":"T1,T2"}""", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(flags, HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsync("api/backups", new StringContent("""{"tier":9}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsync("api/backups", new StringContent("""{"kind":99,"assetId":"a"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        JsonElement problem = await (await fixture.Api.PostAsync("api/backups", new StringContent("""{"tier":"T1,T2"}""", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("tier", problem.GetProperty("field").GetString());
        Assert.Contains("T1, T2, T3", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Only_a_real_space_is_assigned_a_tier()
    {
        using HttpResponseMessage unknown = await fixture.Api.PutAsJsonAsync("api/spaces/000000000000000000000000/tier", new { tier = "T1" });
        Assert.Equal("spaceId", (await AssertProblemAsync(unknown, HttpStatusCode.NotFound)).GetProperty("field").GetString());

        QlikSpace? space = null;
        await foreach (QlikSpace s in Qlik.ListSpacesAsync())
        {
            space = s;
            break;
        }

        Assert.NotNull(space);
        JsonElement tiers = await fixture.Api.GetFromJsonAsync<JsonElement>("api/spaces/tiers");
        string current = tiers.GetProperty("spaces").TryGetProperty(space.Id, out JsonElement t) ? t.GetString()! : tiers.GetProperty("defaultTier").GetString()!;
        using HttpResponseMessage set = await fixture.Api.PutAsJsonAsync($"api/spaces/{space.Id}/tier", new { tier = current });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(current, (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tier").GetString());
    }

    [Fact]
    public async Task The_same_Idempotency_Key_starts_one_operation()
    {
        async Task<string> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/backups") { Content = JsonContent.Create(new { tier = "T2" }) };
            request.Headers.Add("Idempotency-Key", "deploy-42");
            using HttpResponseMessage response = await fixture.Api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        string first = await PostAsync();
        Assert.Equal(first, await PostAsync());
        await fixture.WaitAsync(first);
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_and_start_nothing()
    {
        int appsBefore = await CountAppsAsync();

        await AssertProblemAsync(await fixture.Api.PostAsync("api/restores", new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/restores", new { scope = "App", pointId = RecoveryPointIds.Create(AssetKind.App, "no-such-app", DateTimeOffset.UtcNow), @operator = "test" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/restores", new { scope = "App", pointId = "no-such-point" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/backups", new { kind = "App" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.GetAsync("api/recovery-points?kind=Spreadsheet"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.GetAsync("api/operations/nope"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await fixture.Api.PutAsJsonAsync("api/spaces/some-space/tier", new { tier = "T9" }), HttpStatusCode.BadRequest);

        Assert.Equal(appsBefore, await CountAppsAsync());
    }

    [Fact]
    public async Task A_drill_started_over_HTTP_is_listed_and_its_report_served_as_JSON_and_HTML()
    {
        await BackupTierAsync("T3");

        using HttpResponseMessage start = await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Sample", tier = "T3", sampleSize = 1, seed = 3 });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        string id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        JsonElement op = await fixture.WaitAsync(id, TimeSpan.FromMinutes(3));
        Assert.Equal("Completed", op.GetProperty("status").GetString());

        JsonElement report = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/drills/{id}");
        Assert.Equal(id, report.GetProperty("drillId").GetString());
        Assert.Equal(3, report.GetProperty("seed").GetInt32());
        Assert.True(report.GetProperty("passed").GetBoolean(), report.GetRawText());
        Assert.StartsWith("1 of 1 assets,", report.GetProperty("headline").GetString());
        JsonElement list = await fixture.Api.GetFromJsonAsync<JsonElement>("api/drills");
        Assert.Contains(list.EnumerateArray(), d => d.GetProperty("drillId").GetString() == id);

        using var asHtml = new HttpRequestMessage(HttpMethod.Get, $"api/drills/{id}");
        asHtml.Headers.Accept.ParseAdd("text/html");
        foreach (HttpResponseMessage html in new[] { await fixture.Api.SendAsync(asHtml), await fixture.Api.GetAsync($"api/drills/{id}/report.html") })
        {
            Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
            Assert.Contains(report.GetProperty("headline").GetString()!, await html.Content.ReadAsStringAsync());
        }

        // Only a Tenant drill's clean-up can be run again: this Sample drill is a 400 naming the route's id, and nothing starts.
        using HttpResponseMessage notTenant = await fixture.Api.PostAsync($"api/drills/{id}/clean-up", null);
        Assert.Equal("id", (await AssertProblemAsync(notTenant, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_clean_up_of_an_unknown_drill_is_a_404_and_of_a_drill_still_running_a_409()
    {
        await AssertProblemAsync(await fixture.Api.PostAsync("api/drills/no-such-drill/clean-up", null), HttpStatusCode.NotFound);
        await BackupTierAsync("T3");
        using HttpResponseMessage start = await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Sample", tier = "T3", sampleSize = 1, seed = 5 });
        string id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using HttpResponseMessage running = await fixture.Api.PostAsync($"api/drills/{id}/clean-up", null);

        JsonElement problem = await AssertProblemAsync(running, HttpStatusCode.Conflict);
        Assert.Contains("still running", problem.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        await fixture.WaitAsync(id, TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Bad_drill_requests_get_problem_details()
    {
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Tier" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Sample", tier = "T1", sampleSize = 0 }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Space" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Everything", tier = "T1" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.GetAsync("api/drills?take=0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await fixture.Api.GetAsync("api/drills/no-such-drill"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await fixture.Api.PostAsJsonAsync("api/drills", new { scope = "Space", spaceId = "no-such-space" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_dry_run_restore_returns_the_plan_and_touches_nothing()
    {
        await BackupTierAsync("T3");
        RecoveryPoint point = (await Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = AssetKind.App, Take = 50 }))
            .First(p => p.Status == RecoveryPointStatus.Captured);
        await Qlik.DeleteAppAsync(point.AssetId);
        int appsBefore = await CountAppsAsync();

        using HttpResponseMessage response = await fixture.Api.PostAsJsonAsync(
            "api/restores", new { scope = "App", pointId = point.PointId, dryRun = true, @operator = "test" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(plan.GetProperty("actions").GetArrayLength() > 0);
        Assert.Equal(appsBefore, await CountAppsAsync());
        Assert.Null(await Qlik.GetAppAsync(point.AssetId));
    }

    [Fact]
    public async Task A_restore_keeps_one_id_from_request_to_audit_and_a_stale_plan_is_refused_with_409()
    {
        await BackupTierAsync("T3");
        // In place on an app that still exists (another test deletes one): restore it as it was at the point.
        RecoveryPoint? point = null;
        foreach (RecoveryPoint p in await Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = AssetKind.App, Take = 50 }))
        {
            if (p.Status == RecoveryPointStatus.Captured && p.SpaceId is not (null or "personal") && await Qlik.GetAppAsync(p.AssetId) is not null)
            {
                point = p;
                break;
            }
        }

        Assert.NotNull(point);

        using HttpResponseMessage dry = await fixture.Api.PostAsJsonAsync("api/restores", new { scope = "App", pointId = point.PointId, dryRun = true });
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        string restoreId = (await dry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("restoreId").GetString()!;
        JsonElement shown = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/restores/{restoreId}");
        Assert.Equal(restoreId, shown.GetProperty("restoreId").GetString());

        using HttpResponseMessage start = await fixture.Api.PostAsync($"api/restores/{restoreId}/execute", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        string operationId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(restoreId, operationId);
        JsonElement op = await fixture.WaitAsync(operationId);
        Assert.Equal("Completed", op.GetProperty("status").GetString());
        JsonElement output = op.GetProperty("output");
        Assert.Equal(restoreId, output.GetProperty("plan").GetProperty("restoreId").GetString());
        Assert.Equal(shown.GetProperty("actions").GetRawText(), output.GetProperty("plan").GetProperty("actions").GetRawText());
        Assert.Equal(restoreId, output.GetProperty("result").GetProperty("restoreId").GetString());
        var audit = await fixture.Env.Host.Services.GetRequiredService<QlikBackup.Core.Restore.RestoreAuditLog>().RecentAsync(TenantId, 50);
        Assert.Contains(audit, e => e.RestoreId == restoreId);

        // A plan shown before the app was deleted no longer matches the tenant.
        using HttpResponseMessage second = await fixture.Api.PostAsJsonAsync("api/restores", new { scope = "App", pointId = point.PointId, dryRun = true });
        string staleId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("restoreId").GetString()!;
        await Qlik.DeleteAppAsync(point.AssetId);
        using HttpResponseMessage stale = await fixture.Api.PostAsync($"api/restores/{staleId}/execute", null);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Import the point's QVF", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await AssertProblemAsync(await fixture.Api.GetAsync("api/restores/no-such-restore"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_signed_Qlik_webhook_captures_the_changed_app_and_a_wrong_signature_gets_401()
    {
        await BackupTierAsync("T3");
        // The newest point of an app that still exists (another test deletes one).
        RecoveryPoint? before = null;
        await foreach (QlikItem item in Qlik.ListItemsAsync("app"))
        {
            var latest = await Index.GetNewestAsync(TenantId, AssetKind.App, item.ResourceId, 1);
            if (latest is [{ Status: RecoveryPointStatus.Captured } point])
            {
                before = point;
                break;
            }
        }

        Assert.NotNull(before);

        // Wrong signature: refused, nothing captured.
        string forged = JsonSerializer.Serialize(new
        {
            eventId = Guid.NewGuid().ToString(), eventType = "com.qlik.v1.app.data.updated", eventTime = DateTimeOffset.UtcNow,
            extensions = new { topLevelResourceId = before.AssetId },
        });
        using var forgedRequest = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/qlik") { Content = new StringContent(forged, Encoding.UTF8, "application/json") };
        forgedRequest.Headers.Add("Qlik-Signature", new string('0', 64));
        await AssertProblemAsync(await fixture.Api.SendAsync(forgedRequest), HttpStatusCode.Unauthorized);
        Assert.Equal(before.PointId, (await Index.GetNewestAsync(TenantId, AssetKind.App, before.AssetId, 1))[0].PointId);

        // Register a real Qlik webhook pointing at the local API, then change the app: Qlik (the simulator) delivers a signed event.
        await Qlik.CreateAsync(QlikResourceKind.Webhook, JsonSerializer.SerializeToElement(new
        {
            name = "qlikbackup",
            url = new Uri(fixture.Env.Host.ApiBaseUrl, "api/webhooks/qlik").ToString(),
            eventTypes = new[] { "com.qlik.v1.app.data.updated" },
            secret = fixture.Env.WebhookSecret,
            enabled = true,
        }));
        var engine = fixture.Env.Host.Services.GetRequiredService<IQlikEngine>();
        await using (IEngineAppSession session = await engine.OpenAppAsync(before.AssetId))
        {
            string script = await session.GetScriptAsync();
            await session.SetScriptAsync(script + "\n// changed by the webhook test");
            await session.SaveAsync();
        }

        await fixture.Env.Tenant.FlushWebhooksAsync();
        DateTime deadline = DateTime.UtcNow.AddMinutes(3);
        RecoveryPoint newest;
        do
        {
            await Task.Delay(500);
            newest = (await Index.GetNewestAsync(TenantId, AssetKind.App, before.AssetId, 1))[0];
        }
        while (newest.PointId == before.PointId && DateTime.UtcNow < deadline);

        Assert.NotEqual(before.PointId, newest.PointId);
        Assert.True(newest.CapturedAt > before.CapturedAt);
        Assert.Equal(RecoveryPointStatus.Captured, newest.Status);
    }

    [Fact]
    public async Task A_point_its_history_and_a_comparison_with_the_live_app_are_served()
    {
        await BackupTierAsync("T3");
        RecoveryPoint point = (await Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = AssetKind.App, Take = 50 }))
            .First(p => p.Status == RecoveryPointStatus.Captured);

        JsonElement one = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/recovery-points/{point.PointId}");
        Assert.Equal(point.AssetId, one.GetProperty("assetId").GetString());
        Assert.Equal("App", one.GetProperty("kind").GetString());

        JsonElement history = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/assets/App/{point.AssetId}/history");
        Assert.Contains(history.EnumerateArray(), p => p.GetProperty("pointId").GetString() == point.PointId);
        Assert.All(history.EnumerateArray(), p => Assert.Equal(point.AssetId, p.GetProperty("assetId").GetString()));

        using HttpResponseMessage compare = await fixture.Api.GetAsync($"api/compare?pointA={point.PointId}");
        if (await Qlik.GetAppAsync(point.AssetId) is null)
        {
            await AssertProblemAsync(compare, HttpStatusCode.NotFound);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, compare.StatusCode);
            JsonElement diff = await compare.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(point.PointId, diff.GetProperty("left").GetString());
        }
    }

    [Fact]
    public async Task Search_pages_with_a_continuation_until_every_point_was_given_once()
    {
        await BackupTierAsync("T3");
        var all = (await Index.QueryAsync(TenantId, new RecoveryPointQuery { Take = 1000 })).Select(p => p.PointId).ToList();
        var paged = new List<string>();
        string? continuation = null;
        do
        {
            using HttpResponseMessage page = await fixture.Api.GetAsync("api/recovery-points?take=2" + (continuation is null ? "" : $"&continuation={continuation}"));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            paged.AddRange((await page.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("pointId").GetString()!));
            continuation = page.Headers.TryGetValues("X-Continuation", out var values) ? values.Single() : null;
        }
        while (continuation is not null);

        Assert.True(all.Count > 2);
        Assert.Equal(all.Order(), paged.Distinct().Order());
        Assert.Equal(paged.Count, paged.Distinct().Count());
    }

    [Fact]
    public async Task A_validation_copy_is_promoted_back_over_the_production_app_by_the_caller()
    {
        await BackupTierAsync("T3");
        RecoveryPoint? point = null;
        await foreach (QlikItem item in Qlik.ListItemsAsync("app"))
        {
            if (await Index.GetNewestAsync(TenantId, AssetKind.App, item.ResourceId, 1) is [{ Status: RecoveryPointStatus.Captured } p] && p.SpaceId is not null)
            {
                point = p;
                break;
            }
        }

        Assert.NotNull(point);
        // A spoofed operator (header and body) is recorded only as a note beside the caller the host authenticated.
        using var restore = new HttpRequestMessage(HttpMethod.Post, "api/restores")
        {
            Content = JsonContent.Create(new { scope = "App", pointId = point.PointId, target = "ValidationSpace", createTargetSpace = true, @operator = "ceo@contoso.com" }),
        };
        restore.Headers.Add("X-Operator", "cfo@contoso.com");
        using HttpResponseMessage start = await fixture.Api.SendAsync(restore);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        JsonElement op = await fixture.WaitAsync((await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal("Completed", op.GetProperty("status").GetString());
        string validationApp = op.GetProperty("output").GetProperty("result").GetProperty("restoredAssetId").GetString()!;
        Assert.Equal("key:local", op.GetProperty("output").GetProperty("plan").GetProperty("request").GetProperty("operator").GetString());
        string restoreId = op.GetProperty("output").GetProperty("plan").GetProperty("restoreId").GetString()!;
        var audit = fixture.Env.Host.Services.GetRequiredService<QlikBackup.Core.Restore.RestoreAuditLog>();
        var entry = (await audit.RecentAsync(TenantId, 50)).Single(e => e.RestoreId == restoreId);
        Assert.Equal("key:local", entry.Operator);
        Assert.Equal("cfo@contoso.com; ceo@contoso.com", entry.OperatorNote);

        using HttpResponseMessage promote = await fixture.Api.PostAsJsonAsync("api/promotions", new { validationAppId = validationApp, productionAppId = point.AssetId });

        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        JsonElement result = await promote.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(point.AssetId, result.GetProperty("productionAppId").GetString());
        Assert.True(Enum.IsDefined(Enum.Parse<QlikBackup.Core.Restore.PromoteMethod>(result.GetProperty("method").GetString()!)));
    }

    async Task<int> CountAppsAsync()
    {
        int n = 0;
        await foreach (QlikItem _ in Qlik.ListItemsAsync("app"))
        {
            n++;
        }

        return n;
    }
}
