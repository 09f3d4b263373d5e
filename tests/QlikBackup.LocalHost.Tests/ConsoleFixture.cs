using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.DevServices.Azurite;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.LocalHost.Tests;

/// <summary>The host's clock, moved forward by a test to put a tier behind its RPO without waiting.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

/// <summary>
/// One seeded local host for the console's browser tests, with its API key set as `serve --data` has it, and one
/// headless Debian chromium. Seeded through the API: every tier backed up, then one app's sheet renamed and its
/// script edited, and the app backed up again, so the app has two versions to compare and restore.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    readonly string data = Path.Combine(Path.GetTempPath(), "qlikbackup-console-" + Guid.NewGuid().ToString("N"));
    AzuriteServer azurite = null!;
    QlikSimulatorHost tenant = null!;
    IPlaywright playwright = null!;

    public LocalBackupHost Host { get; private set; } = null!;
    public ShiftedClock Clock { get; } = new();
    public HttpClient Api { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Key { get; private set; } = null!;

    /// <summary>The page as an operator opens it: the key in ?code=, as serve prints it.</summary>
    public string ConsoleUrl => $"{Host.ApiBaseUrl}api/console?code={Key}";

    public SimulatedTenant Tenant => tenant.Tenant;
    public IReadOnlyDictionary<string, Tier> Tiers { get; private set; } = null!;
    public string AppId { get; private set; } = null!;
    public string AppName { get; private set; } = null!;
    public string SheetId { get; private set; } = null!;
    public string SheetTitleAtFirstPoint { get; private set; } = null!;
    string owner = null!;
    public const string EditedTitle = "Renamed after the first backup";
    public const string ScriptEdit = "// edited after the first backup";

    public async Task InitializeAsync()
    {
        azurite = await AzuriteServer.StartAsync(Path.Combine(data, "azurite"));
        tenant = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = DemoTenantSpec.Demo with { AppsPerSpace = 1, PersonalApps = 0 }, SaveOnStop = false });
        LocalSecrets secrets = LocalSecrets.Create(withApiKey: true);
        Key = secrets.ApiKey!;
        Host = await LocalBackupHost.StartAsync(LocalSettings.For(azurite.ConnectionString, tenant, secrets), null, s => s.AddSingleton<TimeProvider>(Clock));
        Api = new HttpClient { BaseAddress = Host.ApiBaseUrl, Timeout = TimeSpan.FromMinutes(3) };
        Api.DefaultRequestHeaders.Add("x-functions-key", Key);

        await ServeCommand.AssignTiersAsync(Host.Services, CancellationToken.None);
        Tiers = await Host.Services.GetRequiredService<ISpaceTierStore>().GetAllAsync();
        foreach (Tier tier in Enum.GetValues<Tier>())
        {
            await BackUpAsync(new { tier = tier.ToString() });
        }

        // A shared-space app with a titled sheet: its sheet is renamed and its script edited, then it is backed up again.
        (AppId, AppName, SheetId, SheetTitleAtFirstPoint, owner) = Tenant.Read(s => s.Apps
            .Where(a => !a.Published && s.FindSpace(a.SpaceId ?? "")?.Type == "shared")
            .SelectMany(a => a.Document.Objects.Values.Where(o => o.QType == "sheet" && o.Published && Title(o) is not null)
                .Select(o => (a.Id, a.Name, o.Id, Title(o)!, a.OwnerId)))
            .First());
        Tenant.UpdateAppDocument(AppId, new SimulatedActor(owner), (_, doc) =>
        {
            doc.Objects[SheetId].Properties["qProperty"]!["qMetaDef"]!["title"] = EditedTitle;
            doc.Script += "\n" + ScriptEdit;
            return 0;
        });
        await BackUpAsync(new { kind = "App", assetId = AppId });

        playwright = await Playwright.CreateAsync();
        // Debian's chromium, never Playwright's download; the flags keep it off this machine's closed network.
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Renames the sheet in the live app, as its owner would: what a restore or a promotion must then undo.</summary>
    public void RenameSheet(string title) =>
        Tenant.UpdateAppDocument(AppId, new SimulatedActor(owner), (_, doc) => doc.Objects[SheetId].Properties["qProperty"]!["qMetaDef"]!["title"] = title);

    public string SheetTitle() => Tenant.Read(s => Title(s.FindApp(AppId)!.Document.Objects[SheetId])!);

    public static string? Title(SimulatedObject o) => o.Properties["qProperty"]?["qMetaDef"]?["title"] is JsonValue v && v.TryGetValue(out string? t) ? t : null;

    /// <summary>A fresh page at 1,280 × 800, opened on <paramref name="fragment"/>, in UTC+2 so local and UTC times differ.</summary>
    public async Task<IPage> OpenAsync(string fragment = "#/overview")
    {
        IBrowserContext context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, TimezoneId = "Europe/Athens", Locale = "en-GB" });
        context.SetDefaultTimeout(30_000);
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(ConsoleUrl + fragment);
        return page;
    }

    async Task BackUpAsync(object body)
    {
        using HttpResponseMessage start = await Api.PostAsJsonAsync("api/backups", body);
        start.EnsureSuccessStatusCode();
        string id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        DateTime deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            JsonElement op = await Api.GetFromJsonAsync<JsonElement>($"api/operations/{id}");
            string status = op.GetProperty("status").GetString()!;
            if (status is not ("Pending" or "Running"))
            {
                if (status != "Completed")
                {
                    throw new InvalidOperationException($"Seeding backup {JsonSerializer.Serialize(body)} ended {status}: {op}");
                }

                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Seeding backup {JsonSerializer.Serialize(body)} still {status}.");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Where a page's screenshot goes: docs/console/ when QLIKBACKUP_UPDATE_SCREENSHOTS=1 (to refresh the README's
    /// pictures), else the test output folder, so an ordinary run leaves the repository as it was.
    /// </summary>
    public static string ScreenshotPath(string name)
    {
        if (Environment.GetEnvironmentVariable("QLIKBACKUP_UPDATE_SCREENSHOTS") == "1")
        {
            DirectoryInfo? dir = new(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                dir = dir.Parent;
            }

            if (dir is not null)
            {
                return Path.Combine(dir.FullName, "docs", "console", name + ".png");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "console-screenshots", name + ".png");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        Api?.Dispose();
        try
        {
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (tenant is not null)
                {
                    await tenant.DisposeAsync();
                }
            }
            finally
            {
                if (azurite is not null)
                {
                    await azurite.DisposeAsync();
                }

                try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
