using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using QlikBackup.Core.Assets;
using static Microsoft.Playwright.Assertions;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// The recovery console in a real browser (Debian's headless chromium) against the local host, as an operator uses
/// it: every wait is Playwright's wait for a condition on the page; time is moved with the host's clock.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static ILocator Cell(IPage page, string spaceId) => page.Locator($"#heatmap td[data-space='{spaceId}']");

    static Task ScreenshotAsync(IPage page, string name) => page.ScreenshotAsync(new() { Path = ConsoleFixture.ScreenshotPath(name), FullPage = true });

    [Fact]
    public async Task The_console_is_behind_the_API_key_and_runs_only_its_own_script()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.ApiBaseUrl };
        using HttpResponseMessage refused = await anonymous.GetAsync("api/console");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        using HttpResponseMessage page = await anonymous.GetAsync($"api/console?code={fixture.Key}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Matches("script-src 'sha256-[A-Za-z0-9+/=]+'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.DoesNotContain("src=\"console.js\"", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Space_status_measures_each_space_against_its_tiers_objective_on_the_hosts_clock()
    {
        async Task<Dictionary<string, JsonElement>> SpacesAsync() =>
            (await fixture.Api.GetFromJsonAsync<JsonElement>("api/status/spaces")).GetProperty("spaces").EnumerateArray()
                .ToDictionary(s => s.GetProperty("spaceId").GetString()!);

        Dictionary<string, JsonElement> fresh = await SpacesAsync();
        foreach (var (spaceId, tier) in fixture.Tiers)
        {
            Assert.Equal(tier.ToString(), fresh[spaceId].GetProperty("tier").GetString());
            Assert.False(fresh[spaceId].GetProperty("rpoBreached").GetBoolean());
        }

        // The edited app's second backup is the newest good point of its space, and the space is protected at least since then.
        JsonElement newest = (await fixture.Api.GetFromJsonAsync<JsonElement>($"api/assets/App/{fixture.AppId}/history?take=1"))[0];
        JsonElement appSpace = fresh[newest.GetProperty("spaceId").GetString()!];
        Assert.Equal(newest.GetProperty("pointId").GetString(), appSpace.GetProperty("newestPointId").GetString());
        Assert.True(appSpace.GetProperty("protectedAt").GetDateTimeOffset() >= newest.GetProperty("capturedAt").GetDateTimeOffset());

        fixture.Clock.Offset = TimeSpan.FromHours(2);
        try
        {
            Dictionary<string, JsonElement> later = await SpacesAsync();
            foreach (var (spaceId, tier) in fixture.Tiers)
            {
                Assert.Equal(tier != Tier.T3, later[spaceId].GetProperty("rpoBreached").GetBoolean());
                Assert.True(later[spaceId].GetProperty("age").Deserialize<TimeSpan>() >= TimeSpan.FromHours(2));
                Assert.Equal(fresh[spaceId].GetProperty("protectedAt").GetDateTimeOffset(), later[spaceId].GetProperty("protectedAt").GetDateTimeOffset());
            }
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Every_page_passes_the_axe_accessibility_rules_and_fits_1280_px()
    {
        JsonElement history = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/assets/App/{fixture.AppId}/history");
        string[] points = history.EnumerateArray().Select(p => Uri.EscapeDataString(p.GetProperty("pointId").GetString()!)).ToArray();
        (string Fragment, string Ready)[] pages =
        [
            ("#/overview", "#heatmap"), ($"#/find?kind=App&asset={fixture.AppId}", "#history-table"), ($"#/compare?a={points[^1]}&b={points[0]}", "#changed"),
            ($"#/restore?point={points[^1]}", "#point"), ("#/drills", "#drill-scope"),
        ];
        IPage page = await fixture.OpenAsync();
        try
        {
            var violations = new List<string>();
            foreach (var (fragment, ready) in pages)
            {
                await page.GotoAsync(fixture.ConsoleUrl + fragment);
                await Expect(page.Locator(ready)).ToBeVisibleAsync();
                // Laid out for 1,280 px: nothing scrolls sideways.
                int width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
                if (width > 1280)
                {
                    violations.Add($"{fragment}: {width} px wide at a 1,280 px window");
                }

                AxeResult result = await page.RunAxe();
                violations.AddRange(result.Violations.Select(v => $"{fragment}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}"));
            }

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_pages_are_reached_by_keyboard()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await Expect(page.Locator("#heatmap")).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Find", Exact = true })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Find recovery points" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Find", Exact = true })).ToHaveAttributeAsync("aria-current", "page");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_heat_map_cell_of_a_tier_turns_red_when_the_tier_breaches_its_RPO()
    {
        string t1 = fixture.Tiers.First(kv => kv.Value == Tier.T1).Key;
        string t3 = fixture.Tiers.First(kv => kv.Value == Tier.T3).Key;
        IPage page = await fixture.OpenAsync();
        try
        {
            await Expect(Cell(page, t1)).ToHaveAttributeAsync("data-state", "ok");
            await Expect(Cell(page, t3)).ToHaveAttributeAsync("data-state", "ok");
            await Expect(page.Locator("#alerts")).ToHaveTextAsync("No open alerts.");
            // Dates are the viewer's, with UTC on hover.
            await Expect(page.Locator("#heatmap caption time")).ToHaveAttributeAsync("title", new Regex(" UTC$"));

            // Two hours on: past T1's 15 minutes (and T2's hour), well inside T3's day.
            fixture.Clock.Offset = TimeSpan.FromHours(2);
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();

            await Expect(Cell(page, t1)).ToHaveAttributeAsync("data-state", "breached");
            await Expect(Cell(page, t1)).ToHaveCSSAsync("background-color", "rgb(179, 38, 30)");
            await Expect(Cell(page, t1)).ToContainTextAsync("over RPO");
            await Expect(Cell(page, t3)).ToHaveAttributeAsync("data-state", "ok");
            await Expect(page.Locator("#alerts")).ToContainTextAsync("T1 is behind its RPO");
            await ScreenshotAsync(page, "overview");
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Back_up_now_runs_a_tier_and_follows_it_to_its_outcome()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.GetByLabel("Tier").SelectOptionAsync("T2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();

            await Expect(page.Locator("#backup-status")).ToContainTextAsync(new Regex(@"^Backup of T2: Completed \(captured \d+, unchanged \d+, failed 0\)"), new() { Timeout = 180_000 });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Find_filters_by_space_and_capture_date()
    {
        JsonElement newest = (await fixture.Api.GetFromJsonAsync<JsonElement>($"api/assets/App/{fixture.AppId}/history?take=1"))[0];
        string spaceName = newest.GetProperty("spaceName").GetString()!;
        IPage page = await fixture.OpenAsync("#/find");
        try
        {
            await page.GetByLabel("Space").SelectOptionAsync(new SelectOptionValue { Label = spaceName });
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            ILocator spaces = page.Locator("#results tbody td:nth-child(3)");
            await Expect(spaces.First).ToHaveTextAsync(spaceName);
            Assert.All(await spaces.AllTextContentsAsync(), s => Assert.Equal(spaceName, s));

            await page.GetByLabel("Captured from").FillAsync("2099-01-01T00:00");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(page.Locator("#results h2")).ToHaveTextAsync("0 recovery points");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_sheet_is_found_compared_and_its_older_version_restored_after_its_plan_is_shown()
    {
        IPage page = await fixture.OpenAsync("#/find");
        try
        {
            await page.GetByLabel("Name contains").FillAsync(fixture.AppName);
            await page.GetByLabel("Kind").SelectOptionAsync("App");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"History of {fixture.AppName}" }).First.ClickAsync();

            ILocator versions = page.Locator("#history-table tbody tr");
            await Expect(versions).ToHaveCountAsync(2);
            await versions.Nth(0).GetByRole(AriaRole.Checkbox).CheckAsync();
            await versions.Nth(1).GetByRole(AriaRole.Checkbox).CheckAsync();
            await ScreenshotAsync(page, "find");
            await page.GetByRole(AriaRole.Button, new() { Name = "Compare the two selected" }).ClickAsync();

            // The older point on the left, the renamed sheet and the script edit on the right.
            ILocator sheet = page.Locator("#changed details").Filter(new() { HasText = fixture.SheetId });
            await Expect(sheet.Locator("td.old")).ToContainTextAsync(fixture.SheetTitleAtFirstPoint);
            await Expect(sheet.Locator("td.new")).ToContainTextAsync(ConsoleFixture.EditedTitle);
            await Expect(page.Locator("#script .Added")).ToContainTextAsync(ConsoleFixture.ScriptEdit);
            await ScreenshotAsync(page, "compare");

            // Whatever ran before, the live sheet differs from the older point.
            fixture.RenameSheet("Renamed before the in-place restore");
            await page.GetByRole(AriaRole.Link, new() { Name = "Restore the left point…" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Show the plan (dry run)" }).ClickAsync();
            await Expect(page.Locator("#plan-actions tbody tr").Filter(new() { HasText = "Replace" }).First).ToBeVisibleAsync();
            await Expect(page.Locator("#checklist")).ToBeVisibleAsync();
            // Planning touched nothing.
            Assert.Equal("Renamed before the in-place restore", fixture.SheetTitle());
            await ScreenshotAsync(page, "restore");

            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and restore" }).ClickAsync();
            await Expect(page.Locator("#restore-done")).ToBeVisibleAsync(new() { Timeout = 180_000 });
            Assert.Equal(fixture.SheetTitleAtFirstPoint, fixture.SheetTitle());
            Assert.DoesNotContain(ConsoleFixture.ScriptEdit, fixture.Tenant.Read(s => s.FindApp(fixture.AppId)!.Document.Script));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_point_is_compared_with_the_live_app_from_its_history()
    {
        fixture.RenameSheet("Renamed for the live comparison");
        IPage page = await fixture.OpenAsync($"#/find?kind=App&asset={fixture.AppId}");
        try
        {
            ILocator newest = page.Locator("#history-table tbody tr").First;
            await newest.GetByRole(AriaRole.Link, new() { Name = "Compare with live" }).ClickAsync();

            await Expect(page.Locator("#comparison")).ToContainTextAsync("Right: live");
            ILocator sheet = page.Locator("#changed details").Filter(new() { HasText = fixture.SheetId });
            await Expect(sheet.Locator("td.old")).ToContainTextAsync(ConsoleFixture.EditedTitle);
            await Expect(sheet.Locator("td.new")).ToContainTextAsync("Renamed for the live comparison");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_validation_copy_of_the_older_version_is_restored_then_promoted_into_production()
    {
        JsonElement history = await fixture.Api.GetFromJsonAsync<JsonElement>($"api/assets/App/{fixture.AppId}/history");
        string older = history.EnumerateArray().Last().GetProperty("pointId").GetString()!;
        fixture.RenameSheet("Renamed before the promotion");
        IPage page = await fixture.OpenAsync($"#/restore?point={Uri.EscapeDataString(older)}");
        try
        {
            await page.GetByLabel("Validation space", new() { Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Show the plan (dry run)" }).ClickAsync();
            await Expect(page.Locator("#plan")).ToContainTextAsync("(validation copy)");
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and restore" }).ClickAsync();
            await Expect(page.Locator("#restore-done")).ToBeVisibleAsync(new() { Timeout = 180_000 });

            Assert.Equal("Renamed before the promotion", fixture.SheetTitle());
            await page.GetByRole(AriaRole.Button, new() { Name = "Promote the validation copy into production" }).ClickAsync();
            await Expect(page.Locator("#promote-status")).ToContainTextAsync($"into {fixture.AppId}");
            // The copy went to its own space; production changed only when promoted.
            Assert.Equal(fixture.SheetTitleAtFirstPoint, fixture.SheetTitle());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_drill_is_started_and_its_report_opened()
    {
        IPage page = await fixture.OpenAsync("#/drills");
        try
        {
            await page.GetByLabel("Scope").SelectOptionAsync("Sample");
            await page.GetByLabel("Tier (Sample, Tier)").SelectOptionAsync("T3");
            await page.GetByLabel("Sample size").FillAsync("1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start drill" }).ClickAsync();

            // Once the drill has finished the page lists it and opens its report.
            ILocator drill = page.Locator("#drill-list tbody tr");
            await Expect(drill).ToHaveCountAsync(1, new() { Timeout = 180_000 });
            string id = (await drill.GetAttributeAsync("data-drill"))!;
            await Expect(page.FrameLocator("iframe.report").Locator("h1")).ToContainTextAsync(new Regex("^(PASSED|FAILED): "));
            await Expect(page.Locator("iframe.report")).ToHaveAttributeAsync("title", $"Drill report {id}");
            await ScreenshotAsync(page, "drills");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
