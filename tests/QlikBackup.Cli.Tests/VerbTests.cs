using QlikBackup.Cli.Tests.Support;
using Xunit;

namespace QlikBackup.Cli.Tests;

/// <summary>The verbs of the routes beyond backup and restore, and the restore and points rules that used to drop input silently.</summary>
public sealed class VerbTests : IClassFixture<FakeApiFixture>
{
    readonly FakeApi api;

    public VerbTests(FakeApiFixture fixture)
    {
        api = fixture.Api;
        api.Reset();
        var at = new DateTimeOffset(2026, 11, 27, 9, 45, 0, TimeSpan.Zero);
        api.Points.Add(FakeApi.Point("QXBwfGFwcC1zYWxlc3wx", "App", "app-sales", "Sales Dashboard with a rather long name that goes on", at, "anna.longname@example.com"));
        api.Points.Add(FakeApi.Point("U3BhY2V8c3BhY2UtZmlufDE", "Space", "space-fin", "Finance", at));
        api.Points.Add(FakeApi.Point("VXNlcnw2NTFhYmNkZWYwMTIzNDU2Nzg5MGFiY2R8MQ", "User", "651abcdef01234567890abcd", "Anna Berg", at));
    }

    string Url => api.Url.ToString();

    [Fact]
    public async Task Points_at_200_columns_keeps_every_line_within_the_width_and_every_id_whole()
    {
        string longId = "QXBwfGFwcC1zYWxlc3wy" + new string('A', 70);
        api.Points.Add(FakeApi.Point(longId, "App", "app-sales", "Sales Dashboard", DateTimeOffset.UnixEpoch, "someone.with.a.long.address@example.com"));

        CliResult r = await CliRunner.RunAsync("points", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.All(r.Out.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 200, $"{line.Length}: {line}"));
        Assert.Contains(r.Out.Split('\n'), line => line.Trim().EndsWith(longId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Points_takes_a_space_and_an_owner_by_name()
    {
        CliResult r = await CliRunner.RunAsync("points", "--space", "Finance", "--owner", "anna berg", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(api.Requests, q => q.PathAndQuery.Contains("spaceId=space-fin", StringComparison.Ordinal)
            && q.PathAndQuery.Contains("ownerId=651abcdef01234567890abcd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restore_of_tenant_configuration_by_kinds_needs_no_point()
    {
        CliResult r = await CliRunner.RunAsync("restore", "--scope", "TenantConfig", "--kinds", "DataConnection", "ReloadTask", "--dry-run", "--url", Url);

        Assert.True(r.ExitCode == 0, r.ToString());
        RecordedRequest request = Assert.Single(api.Requests);
        Assert.Equal("TenantConfig", request.Body!["scope"]!.GetValue<string>());
        Assert.Equal(["DataConnection", "ReloadTask"], request.Body["kinds"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Null(request.Body["pointId"]);
    }

    [Fact]
    public async Task Restore_refuses_kinds_with_a_point_instead_of_ignoring_them()
    {
        CliResult r = await CliRunner.RunAsync("restore", "--point", "QXBwfGFwcC1zYWxlc3wx", "--scope", "TenantConfig", "--kinds", "DataConnection", "--url", Url);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--kinds", r.Err);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Point_history_promote_and_tier_list_call_their_routes()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("point", "QXBwfGFwcC1zYWxlc3wx", "--url", Url)).ExitCode);
        CliResult history = await CliRunner.RunAsync("history", "App", "app-sales", "--url", Url);
        Assert.Contains("anna.longname@example.com", history.Out);
        CliResult promote = await CliRunner.RunAsync("promote", "app-validation", "--production", "app-sales", "--url", Url);
        Assert.Contains("app-sales", promote.Out);
        CliResult tiers = await CliRunner.RunAsync("tier", "list", "--url", Url);
        Assert.Contains("space-fin", tiers.Out);

        Assert.Equal(
            ["GET /api/recovery-points/QXBwfGFwcC1zYWxlc3wx", "GET /api/assets/App/app-sales/history", "POST /api/promotions", "GET /api/spaces/tiers"],
            api.Requests.Select(q => $"{q.Method} {q.PathAndQuery}"));
    }

    [Fact]
    public async Task An_unknown_point_exits_2_with_the_problem_detail()
    {
        CliResult r = await CliRunner.RunAsync("point", "bm8tc3VjaA", "--url", Url);

        Assert.Equal(ExitCodes.Api, r.ExitCode);
        Assert.Contains("Recovery point not found", r.Err);
    }

    [Fact]
    public async Task Promote_needs_exactly_one_destination()
    {
        CliResult r = await CliRunner.RunAsync("promote", "app-validation", "--url", Url);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Empty(api.Requests);
    }
}
