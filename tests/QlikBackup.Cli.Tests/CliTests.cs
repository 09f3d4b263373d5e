using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using QlikBackup.Cli.Tests.Support;
using Xunit;

namespace QlikBackup.Cli.Tests;

/// <summary>One fake API server for the class; xunit runs a class's tests one at a time, and each starts from <see cref="FakeApi.Reset"/>.</summary>
public sealed class FakeApiFixture : IAsyncLifetime
{
    public FakeApi Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await FakeApi.StartAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class CliTests : IClassFixture<FakeApiFixture>
{
    readonly FakeApi api;

    public CliTests(FakeApiFixture fixture)
    {
        api = fixture.Api;
        api.Reset();
        var at = new DateTimeOffset(2026, 11, 27, 9, 45, 0, TimeSpan.Zero);
        api.Points.Add(FakeApi.Point("QXBwfGFwcC1zYWxlc3wx", "App", "app-sales", "Sales Dashboard", at, "anna@example.com"));
        api.Points.Add(FakeApi.Point("QXBwfGFwcC1zYWxlc3wy", "App", "app-sales", "Sales Dashboard", at.AddHours(-1)));
        api.Points.Add(FakeApi.Point("QXBwfGFwcC1ock2fMQ", "App", "app-hr", "HR Headcount", at.AddHours(-2)));
    }

    string Url => api.Url.ToString();

    [Fact]
    public async Task Points_renders_the_matching_points_as_a_table()
    {
        CliResult r = await CliRunner.RunAsync("points", "--name", "sales", "--kind", "App", "--take", "50", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("QXBwfGFwcC1zYWxlc3wx", r.Out);
        Assert.Contains("QXBwfGFwcC1zYWxlc3wy", r.Out);
        Assert.DoesNotContain("HR Headcount", r.Out);
        Assert.Contains("Sales Dashboard", r.Out);
        Assert.Contains("2026-11-27 09:45:00Z", r.Out);
        Assert.Contains("anna@example.com", r.Out);
        Assert.Contains("1.5 MB", r.Out);
        Assert.Contains("2 point(s)", r.Out);
        // Table headers are drawn, one row per point.
        Assert.Contains("Point id", r.Out);
        Assert.Equal(2, r.Out.Split('\n').Count(l => l.Contains("Sales Dashboard")));
        RecordedRequest request = Assert.Single(api.Requests);
        Assert.Equal("/api/recovery-points?kind=App&name=sales&take=50", request.PathAndQuery);
    }

    [Fact]
    public async Task Points_says_which_new_id_a_deleted_asset_was_restored_as()
    {
        var at = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        var gone = JsonSerializer.SerializeToNode(FakeApi.Point("QXBwfGFwcC1nb25lfDE", "App", "app-gone", "Churn Model", at), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        gone["status"] = "Deleted";
        gone["restoredAsId"] = "app-back-7f3";
        api.Points.Add(gone);

        CliResult r = await CliRunner.RunAsync("points", "--name", "churn", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        string line = Assert.Single(r.Out.Split('\n'), l => l.Contains("QXBwfGFwcC1nb25lfDE"));
        Assert.Contains("restored as app-back-7f3", line);
    }

    [Fact]
    public async Task Points_with_json_prints_the_api_json_instead_of_a_table()
    {
        CliResult r = await CliRunner.RunAsync("points", "--json", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        Assert.Equal(3, doc.RootElement.GetArrayLength());
        Assert.Equal("QXBwfGFwcC1zYWxlc3wx", doc.RootElement[0].GetProperty("pointId").GetString());
        Assert.DoesNotContain("│", r.Out);
    }

    [Fact]
    public async Task Points_with_no_match_says_so()
    {
        CliResult r = await CliRunner.RunAsync("points", "--name", "nothing-like-this", "--url", Url);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("No recovery points match.", r.Out);
    }

    [Fact]
    public async Task Restore_dry_run_renders_the_plan_and_the_reconfiguration_checklist()
    {
        CliResult r = await CliRunner.RunAsync(
            "restore", "--point", "QXBwfGFwcC1zYWxlc3wx", "--dry-run", "--operator", "ops-oncall", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Restore plan rst-20261127-0001", r.Out);
        Assert.Contains("Dry run: nothing was changed.", r.Out);
        Assert.Contains("Replace the load script", r.Out);
        Assert.Contains("Recreate sheet 'Overview'", r.Out);
        Assert.Contains("Destroy chart added after the point", r.Out);
        Assert.Contains("Summary: Create 1, Replace 1, Delete 1", r.Out);
        Assert.Contains("warning: 2 private objects of other users are not restored.", r.Out);
        Assert.Contains("Reconfiguration checklist", r.Out);
        Assert.Contains("[ ] Re-enter the credentials of data connection 'Snowflake PROD'.", r.Out);
        Assert.Contains("[ ] Re-enable reload task 'Nightly sales'.", r.Out);
        Assert.Contains("anna@example.com", r.Out);

        RecordedRequest sent = Assert.Single(api.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/api/restores", sent.PathAndQuery);
        Assert.Equal("ops-oncall", sent.Operator);
        Assert.Equal("ops-oncall", sent.Body!["operator"]!.GetValue<string>());
        Assert.True(sent.Body["dryRun"]!.GetValue<bool>());
        Assert.Equal("App", sent.Body["scope"]!.GetValue<string>());
        Assert.Equal("InPlace", sent.Body["target"]!.GetValue<string>());
        Assert.Equal("QXBwfGFwcC1zYWxlc3wx", sent.Body["pointId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restore_by_app_and_incident_time_into_a_validation_space_sends_the_request_the_api_expects()
    {
        CliResult r = await CliRunner.RunAsync(
            "restore", "--app", "app-sales", "--before", "2026-11-27T10:00:00", "--object", "sheet-overview",
            "--validation-space", "Restore check", "--create-space", "--dry-run", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("validation space Restore check (created if missing)", r.Out);
        var body = Assert.Single(api.Requests).Body!;
        Assert.Equal("Object", body["scope"]!.GetValue<string>());
        Assert.Equal("sheet-overview", body["objectId"]!.GetValue<string>());
        Assert.Equal("App", body["kind"]!.GetValue<string>());
        Assert.Equal("app-sales", body["assetId"]!.GetValue<string>());
        // No offset given: UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), body["incidentTime"]!.GetValue<DateTimeOffset>());
        Assert.Equal("ValidationSpace", body["target"]!.GetValue<string>());
        Assert.Equal("Restore check", body["targetSpaceName"]!.GetValue<string>());
        Assert.True(body["createTargetSpace"]!.GetValue<bool>());
        Assert.Null(body["pointId"]);
    }

    [Fact]
    public async Task Backup_wait_polls_the_operation_until_completed_and_prints_the_outcome()
    {
        api.RunningPolls = 3;

        CliResult r = await CliRunner.RunAsync("backup", "--tier", "T1", "--wait", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        RecordedRequest start = api.Requests.First();
        Assert.Equal("POST", start.Method);
        Assert.Equal("T1", start.Body!["tier"]!.GetValue<string>());
        // Pending, Running x3, Completed: one GET each, and no more once finished.
        Assert.Equal(5, api.Polls("op-1"));
        Assert.Contains("CaptureTierOrchestrator op-1: Pending", r.Err);
        Assert.Contains("CaptureTierOrchestrator op-1: Running", r.Err);
        Assert.Contains("Completed", r.Out);
        Assert.Contains("Finance", r.Out);
        Assert.Contains("Operations", r.Out);
        Assert.Contains("Tier T1: 3 captured, 7 unchanged, 0 deleted, 0 failed", r.Out);
    }

    [Fact]
    public async Task Backup_without_wait_prints_the_operation_id_to_follow()
    {
        CliResult r = await CliRunner.RunAsync("backup", "--app", "app-sales", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Started CaptureAssetOrchestrator: op-1", r.Out);
        Assert.Contains("qlikbackup operation op-1 --wait", r.Out);
        var body = Assert.Single(api.Requests).Body!;
        Assert.Equal("App", body["kind"]!.GetValue<string>());
        Assert.Equal("app-sales", body["assetId"]!.GetValue<string>());
        Assert.Equal(0, api.Polls("op-1"));
    }

    [Fact]
    public async Task Wait_on_a_failed_operation_prints_the_failure_and_exits_4()
    {
        api.FinalStatus = "Failed";

        CliResult r = await CliRunner.RunAsync("backup", "--app", "app-sales", "--wait", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.OperationFailed, r.ToString());
        Assert.Contains("Failed", r.Out);
        Assert.Contains("Qlik answered 503 three times.", r.Out);
    }

    [Fact]
    public async Task Restore_wait_whose_result_did_not_succeed_exits_4_and_still_shows_the_checklist()
    {
        api.RestoreSucceeds = false;

        CliResult r = await CliRunner.RunAsync("restore", "--point", "QXBwfGFwcC1zYWxlc3wx", "--wait", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.OperationFailed, r.ToString());
        Assert.Contains("failed", r.Out);
        Assert.Contains("Qlik answered 409 when importing the app.", r.Out);
        Assert.Contains("[ ] Re-enter the credentials of data connection 'Snowflake PROD'.", r.Out);
        Assert.False(api.Requests.First().Body!["dryRun"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Api_problem_prints_title_and_detail_on_stderr_and_exits_2_without_a_stack_trace()
    {
        CliResult r = await CliRunner.RunAsync("restore", "--point", "no-such-point", "--dry-run", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains("Unknown recovery point (HTTP 400)", r.Err);
        Assert.Contains("No recovery point 'no-such-point' in this tenant.", r.Err);
        Assert.Equal("", r.Out);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public async Task Gets_are_retried_on_503_and_losing_the_api_while_waiting_says_how_to_resume()
    {
        // The first poll answers; every later one finds the host unavailable.
        api.Unavailable = request => request.Method == "GET" && api.Polls("op-1") > 1;

        CliResult r = await CliRunner.RunAsync("backup", "--tier", "T1", "--wait", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        // One answered poll, then one attempt and two retries (CliRunner's MaxRetries) of the next.
        Assert.Equal(1 + 3, api.Polls("op-1"));
        Assert.Contains("Service Unavailable (HTTP 503)", r.Err);
        Assert.Contains("qlikbackup operation op-1 --wait", r.Err);
    }

    [Fact]
    public async Task Posts_are_not_retried_so_nothing_starts_twice()
    {
        api.Unavailable = request => request.Method == "POST";

        CliResult r = await CliRunner.RunAsync("backup", "--tier", "T1", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Single(api.Requests);
        Assert.Contains("The host is restarting.", r.Err);
    }

    [Fact]
    public async Task Connection_refused_names_the_url_and_exits_2()
    {
        int port = UnusedPort();

        CliResult r = await CliRunner.RunAsync("status", "--url", $"http://127.0.0.1:{port}");

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains($"http://127.0.0.1:{port}/", r.Err);
        Assert.Contains("connection refused", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public async Task Status_with_a_breached_tier_renders_it_and_exits_3()
    {
        api.RpoBreached = true;

        CliResult r = await CliRunner.RunAsync("status", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.RpoBreached, r.ToString());
        string t1 = r.Out.Split('\n').Single(l => l.Contains(" T1 "));
        Assert.Contains("RPO BREACHED", t1);
        Assert.Contains("15m 0s", t1);
        Assert.Contains("2h 0m", t1);
        Assert.Contains("OK", r.Out.Split('\n').Single(l => l.Contains(" T2 ")));
        Assert.Contains("past its recovery point objective", r.Out);
    }

    [Fact]
    public async Task Status_exits_3_in_json_mode_too_so_schedulers_can_alert_either_way()
    {
        api.RpoBreached = true;

        CliResult r = await CliRunner.RunAsync("status", "--json", "--url", Url);

        Assert.Equal(ExitCodes.RpoBreached, r.ExitCode);
        Assert.True(JsonDocument.Parse(r.Out).RootElement.GetProperty("rpoBreached").GetBoolean());
    }

    [Fact]
    public async Task Status_shows_a_deleted_app_whose_history_continues_under_a_new_id_as_restored_as_that_id()
    {
        api.Restored.Add(new { kind = "App", assetId = "app-sales", name = "Sales", restoredAsId = "app-sales-2", restoredAt = DateTimeOffset.Parse("2026-05-04T10:00:00Z") });

        CliResult r = await CliRunner.RunAsync("status", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        string line = r.Out.Split('\n').Single(l => l.Contains("app-sales "));
        Assert.Contains("Sales", line);
        Assert.Contains("restored as app-sales-2", line);
    }

    [Fact]
    public async Task Status_spaces_renders_each_space_and_exits_3_when_one_is_behind()
    {
        api.RpoBreached = true;

        CliResult r = await CliRunner.RunAsync("status", "spaces", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.RpoBreached, r.ToString());
        Assert.Equal("/api/status/spaces", api.Requests.Last().PathAndQuery);
        Assert.Contains("RPO BREACHED", r.Out.Split('\n').Single(l => l.Contains("Sales")));
        Assert.Contains("OK", r.Out.Split('\n').Single(l => l.Contains("Finance")));
    }

    [Fact]
    public async Task Console_prints_the_page_URL_with_the_key_and_calls_nothing()
    {
        CliResult r = await CliRunner.RunAsync("console", "--url", Url, "--key", "k/1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{Url.TrimEnd('/')}/api/console?code=k%2F1", r.Out.Trim());
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Status_within_rpo_exits_0()
    {
        CliResult r = await CliRunner.RunAsync("status", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("All tiers are within their recovery point objective.", r.Out);
        Assert.DoesNotContain("BREACHED", r.Out);
    }

    [Theory]
    [InlineData("restore --app app-sales", "--before")]
    [InlineData("backup", "--tier")]
    [InlineData("backup --tier T1 --app app-sales", "--tier")]
    [InlineData("backup --tier T9", "T9")]
    [InlineData("restore --point p1 --scope Object", "--object")]
    [InlineData("operation", "Required argument missing")]
    [InlineData("points --take 0", "--take")]
    [InlineData("points --from yesterday", "yesterday")]
    [InlineData("tier set space-fin", "Required argument missing")]
    [InlineData("compare p1", "--live")]
    public async Task Bad_or_missing_arguments_exit_1_with_a_message_and_call_nothing(string command, string mentioned)
    {
        CliResult r = await CliRunner.RunAsync([.. command.Split(' '), "--url", Url]);

        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains(mentioned, r.Err);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Url_and_key_come_from_the_environment_and_the_key_is_sent_as_function_key()
    {
        api.RequiredKey = "k3y";
        var env = new Dictionary<string, string> { ["QLIKBACKUP_URL"] = Url + "api/", ["QLIKBACKUP_KEY"] = "k3y" };

        CliResult r = await CliRunner.RunAsync(env, "status", "--operator", "ops-oncall");

        Assert.True(r.ExitCode == 0, r.ToString());
        RecordedRequest request = Assert.Single(api.Requests);
        Assert.Equal("/api/status", request.PathAndQuery);
        Assert.Equal("k3y", request.FunctionKey);
        Assert.Equal("ops-oncall", request.Operator);
    }

    [Fact]
    public async Task A_rejected_key_gets_a_hint_about_the_key_and_exits_2()
    {
        api.RequiredKey = "k3y";

        CliResult r = await CliRunner.RunAsync("status", "--url", Url, "--key", "wrong");

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains("Unauthorized (HTTP 401)", r.Err);
        Assert.Contains("QLIKBACKUP_KEY", r.Err);
    }

    [Fact]
    public async Task No_url_anywhere_is_a_usage_error()
    {
        CliResult r = await CliRunner.RunAsync("status");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("QLIKBACKUP_URL", r.Err);
    }

    [Fact]
    public async Task Drill_start_posts_the_scope_tier_sample_and_seed_and_waits_for_the_drill()
    {
        CliResult r = await CliRunner.RunAsync("drill", "start", "--tier", "T2", "--sample-size", "2", "--seed", "7", "--wait", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        RecordedRequest post = api.Requests.First();
        Assert.Equal(("POST", "/api/drills"), (post.Method, post.PathAndQuery));
        Assert.Equal(("Sample", "T2", 2, 7), (post.Body!["scope"]!.GetValue<string>(), post.Body["tier"]!.GetValue<string>(), post.Body["sampleSize"]!.GetValue<int>(), post.Body["seed"]!.GetValue<int>()));
        Assert.Contains("Completed", r.Out);
    }

    [Fact]
    public async Task Drill_start_of_a_tier_without_a_tier_is_answered_a_problem_and_exits_2()
    {
        CliResult r = await CliRunner.RunAsync("drill", "start", "--scope", "Tier", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains("(HTTP 400)", r.Err);
        Assert.Contains("'tier' must be T1, T2 or T3", r.Err);
    }

    [Fact]
    public async Task Drill_start_of_the_whole_tenant_sends_scope_Tenant_without_a_tier_and_a_server_without_a_standby_exits_2_naming_the_setting()
    {
        CliResult r = await CliRunner.RunAsync("drill", "start", "--scope", "Tenant", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        RecordedRequest post = api.Requests.Last(x => x.PathAndQuery == "/api/drills");
        Assert.Equal("Tenant", post.Body!["scope"]!.GetValue<string>());
        Assert.Null(post.Body["tier"]);
        Assert.Contains("(HTTP 400)", r.Err);
        Assert.Contains("Drill:Standby:TenantUrl", r.Err);
    }

    [Fact]
    public async Task Drill_start_with_keep_standby_asks_to_keep_the_standby_rebuild_and_without_it_asks_to_empty_it()
    {
        CliResult kept = await CliRunner.RunAsync("drill", "start", "--scope", "Tenant", "--keep-standby", "--url", Url);
        bool keptFlag = api.Requests.Last(x => x.PathAndQuery == "/api/drills").Body!["keepStandby"]!.GetValue<bool>();
        CliResult emptied = await CliRunner.RunAsync("drill", "start", "--scope", "Tenant", "--url", Url);
        bool emptiedFlag = api.Requests.Last(x => x.PathAndQuery == "/api/drills").Body!["keepStandby"]!.GetValue<bool>();

        Assert.True(keptFlag, kept.ToString());
        Assert.False(emptiedFlag, emptied.ToString());
    }

    [Fact]
    public async Task Drill_clean_up_posts_the_drills_clean_up_route_and_waits_printing_each_line_removed()
    {
        CliResult r = await CliRunner.RunAsync("drill", "clean-up", "drill-kept", "--wait", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        RecordedRequest post = api.Requests.First();
        Assert.Equal(("POST", "/api/drills/drill-kept/clean-up"), (post.Method, post.PathAndQuery));
        Assert.Contains("Clean-up finished", r.Out);
        Assert.Contains("2 removed, 0 left behind", r.Out);
        Assert.Contains("removed app 'Sales' (a1) from the standby tenant", r.Out);
    }

    [Fact]
    public async Task Drill_clean_up_that_leaves_things_behind_names_them_and_exits_non_zero()
    {
        CliResult r = await CliRunner.RunAsync("drill", "clean-up", "drill-refused", "--wait", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.OperationFailed, r.ToString());
        Assert.Contains("left behind app 'Sales' (a1) in the standby tenant: Qlik API 403", r.Out);
    }

    [Theory]
    [InlineData("nope", "(HTTP 404)", "There is no report of drill 'nope'")]
    [InlineData("drill-a", "(HTTP 400)", "only a Tenant drill")]
    [InlineData("drill-running", "(HTTP 409)", "is Running")]
    public async Task Drill_clean_up_a_server_refuses_exits_2_with_its_problem(string id, string status, string message)
    {
        CliResult r = await CliRunner.RunAsync("drill", "clean-up", id, "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains(status, r.Err);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public async Task Drill_list_shows_each_drill_with_its_result_and_headline()
    {
        CliResult r = await CliRunner.RunAsync("drill", "list", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("drill-b", r.Out);
        Assert.Contains("failed", r.Out);
        Assert.Contains("5 of 5 assets, 90 of 90 objects restored equal, RTO 9 min vs objective 4 h", r.Out);
        Assert.Equal("/api/drills", Assert.Single(api.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Drill_show_of_a_failed_drill_names_the_difference_and_exits_6()
    {
        CliResult failed = await CliRunner.RunAsync("drill", "show", "drill-b", "--url", Url);
        CliResult passed = await CliRunner.RunAsync("drill", "show", "drill-a", "--url", Url);

        Assert.True(failed.ExitCode == ExitCodes.DrillFailed, failed.ToString());
        Assert.Contains("FAILED", failed.Out);
        Assert.Contains("GenericObject sheet-7 / owner: expected anna, found svc-backup", failed.Out);
        Assert.Contains("re-enter its credentials", failed.Out);
        Assert.Contains("clean-up: 1 removed, 1 left behind", failed.Out);
        Assert.Contains("left behind app 'Sales' (a1) in the standby tenant: Qlik API 403", failed.Out);
        Assert.True(passed.ExitCode == 0, passed.ToString());
        Assert.Contains("clean-up: 1 removed, 0 left behind", passed.Out);
        Assert.Contains("PASSED", passed.Out);
    }

    [Fact]
    public async Task Drill_show_of_an_unknown_drill_is_a_404_problem()
    {
        CliResult r = await CliRunner.RunAsync("drill", "show", "nope", "--url", Url);

        Assert.True(r.ExitCode == ExitCodes.Api, r.ToString());
        Assert.Contains("(HTTP 404)", r.Err);
    }

    [Fact]
    public async Task Tier_set_puts_the_tier_of_the_space()
    {
        CliResult r = await CliRunner.RunAsync("tier", "set", "space-fin", "T2", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Space space-fin is now in tier T2.", r.Out);
        RecordedRequest request = Assert.Single(api.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/api/spaces/space-fin/tier", request.PathAndQuery);
        Assert.Equal("T2", request.Body!["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compare_with_live_renders_part_changes_and_the_script_diff()
    {
        CliResult r = await CliRunner.RunAsync("compare", "QXBwfGFwcC1zYWxlc3wy", "--live", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("/api/compare?pointA=QXBwfGFwcC1zYWxlc3wy", Assert.Single(api.Requests).PathAndQuery);
        Assert.Contains("1 part(s) added, 0 removed, 1 changed, 14 unchanged.", r.Out);
        Assert.Contains("object/GenericObject/sheet-new", r.Out);
        Assert.Contains("\"Sum(Margin)\"", r.Out);
        Assert.Contains("- WHERE Year >= 2020;", r.Out);
        Assert.Contains("+ WHERE Year >= 2024;", r.Out);
    }

    [Fact]
    public async Task Operation_of_an_unknown_id_is_the_apis_404_problem()
    {
        CliResult r = await CliRunner.RunAsync("operation", "op-404", "--url", Url);

        Assert.Equal(ExitCodes.Api, r.ExitCode);
        Assert.Contains("Unknown operation (HTTP 404)", r.Err);
        Assert.Contains("No operation with id 'op-404'.", r.Err);
    }

    static int UnusedPort()
    {
        // Bind and release: nothing listens on the port afterwards, so connecting is refused.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
