using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator.Seeding;
using QlikBackup.Core.Drill;
using Spectre.Console;

namespace QlikBackup.LocalHost.Demo;

public sealed record DemoCycleOptions(int AppsPerSpace, bool KeepData, bool Verbose = false);

/// <summary>
/// The main job on the embedded default: a full backup-and-recovery cycle against Azurite and a simulated tenant,
/// through the same Durable orchestrations the Function app runs. Exits non-zero if the restored app is not
/// byte-identical to its recovery point.
/// </summary>
public static class DemoCycle
{
    static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(DemoCycleOptions options, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
        {
            // Spectre assumes 80 columns without a terminal; recovery point ids alone are wider.
            AnsiConsole.Profile.Width = 200;
        }

        DemoTenantSpec spec = DemoTenantSpec.Demo with { AppsPerSpace = options.AppsPerSpace };
        LocalEnvironment env = await AnsiConsole.Status().StartAsync(
            "Starting Azurite, the simulated tenant and the local Durable host...",
            _ => LocalEnvironment.StartWithStandbyAsync(spec, options.KeepData, options.Verbose ? ConsoleLogs() : null, ct));
        await using (env)
        {
            AnsiConsole.MarkupLine($"[grey]Azurite data:[/] {Markup.Escape(env.DataFolder)}");
            AnsiConsole.MarkupLine($"[grey]Simulated tenant:[/] {env.Tenant.BaseUrl}   [grey]Standby tenant (empty):[/] {env.Standby!.BaseUrl}   [grey]Local API:[/] {env.Host.ApiBaseUrl}");

            IServiceProvider services = env.Host.Services;
            var qlik = services.GetRequiredService<IQlikRestClient>();
            var tiers = services.GetRequiredService<ISpaceTierStore>();
            var index = services.GetRequiredService<IRecoveryPointIndex>();
            var store = services.GetRequiredService<IContentStore>();
            string tenantId = services.GetRequiredService<ITenantContext>().TenantId;

            // Spread the tenant's spaces over the three tiers, as an administrator would configure them.
            await ServeCommand.AssignTiersAsync(services, ct);

            var runs = new List<CaptureRunResult>();
            foreach (Tier tier in Enum.GetValues<Tier>())
            {
                runs.Add(await CaptureTierAsync(env.Host.Client, tier, ct));
            }

            RenderRuns("Capture: tier → space → asset fan-out", runs);

            IReadOnlyList<RecoveryPoint> points = await index.QueryAsync(tenantId, new RecoveryPointQuery { Kind = AssetKind.App, Take = 200 }, ct);
            RenderPoints(points);

            RecoveryPoint? victim = points.Where(p => p.Status == RecoveryPointStatus.Captured).OrderBy(p => p.Name).FirstOrDefault();
            if (victim is null)
            {
                AnsiConsole.MarkupLine("[red]No app was captured; nothing to restore.[/]");
                return 1;
            }

            Manifest manifest = await store.ReadManifestAsync(tenantId, victim.ManifestRef!, ct);
            ManifestPart? qvf = manifest.Find("qvf");
            AnsiConsole.MarkupLine($"Deleting app [yellow]{Markup.Escape(victim.Name ?? victim.AssetId)}[/] ({victim.AssetId}) in the tenant...");
            await qlik.DeleteAppAsync(victim.AssetId, ct);

            // Planned once and stored; the orchestration executes that plan by its id, as POST /api/restores does.
            var request = new RestoreRequest { Scope = RestoreScope.App, PointId = victim.PointId, Operator = "demo" };
            RestorePlan plan = await services.GetRequiredService<IRestoreService>().PlanAsync(request, ct);
            RestoreSummary outcome = await RunAsync<RestoreSummary>(env.Host.Client, nameof(RestoreOrchestrator), plan.RestoreId, $"Restoring {victim.Name} from {victim.PointId}...", ct);
            if (outcome is not { Succeeded: true, RestoredAssetId: { } restoredId })
            {
                AnsiConsole.MarkupLine($"[red]Restore failed:[/] {Markup.Escape(outcome.Error ?? "no result")}");
                return 1;
            }

            string restoredSha = await Sha256Async(await qlik.ExportAppAsync(restoredId, ct: ct), ct);
            bool identical = qvf is not null && string.Equals(restoredSha, qvf.Sha256, StringComparison.OrdinalIgnoreCase);

            CaptureRunResult again = await CaptureTierAsync(env.Host.Client, Tier.T1, ct);

            var summary = new Table().Border(TableBorder.Rounded).AddColumns("Check", "Result");
            summary.AddRow("Apps captured", points.Count.ToString());
            // Inside Qlik's soft-delete window the app comes back with its own id; after it, as a new app (lineage).
            string how = restoredId == victim.AssetId ? $"same id {restoredId} (Qlik's soft-delete restore)" : $"new id {restoredId} (imported from the point)";
            summary.AddRow("Restored app", $"{Markup.Escape(victim.Name ?? "")} → {how} ({outcome.Actions} planned actions, {outcome.Duration.TotalSeconds:0.0} s)");
            summary.AddRow("QVF SHA-256 (point)", qvf?.Sha256 ?? "(none)");
            summary.AddRow("QVF SHA-256 (restored)", restoredSha);
            summary.AddRow("Byte-identical", identical ? "[green]yes[/]" : "[red]NO[/]");
            summary.AddRow("Second T1 run: new bytes", again.Summary.NewBytes.ToString("N0"));
            AnsiConsole.Write(summary);

            // Proof that recovery works: every tier drilled into isolated spaces, each asset checked against its point.
            var drills = new List<DrillReport>();
            foreach (Tier tier in Enum.GetValues<Tier>())
            {
                drills.Add(await RunAsync<DrillReport>(env.Host.Client, nameof(DrillOrchestrator),
                    new DrillRequest { Scope = DrillScope.Tier, Tier = tier, Operator = "demo" }, $"Drilling tier {tier}...", ct));
            }

            // And one space as after losing it: the space, its members and every app, into one isolated space.
            var spaces = await ToListAsync(qlik.ListSpacesAsync(ct));
            if (spaces.Where(s => s.Type == "shared" && s.Name is { } name && !name.StartsWith("drill-", StringComparison.Ordinal)).OrderBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault() is { } shared)
            {
                drills.Add(await RunAsync<DrillReport>(env.Host.Client, nameof(DrillOrchestrator),
                    new DrillRequest { Scope = DrillScope.Space, SpaceId = shared.Id, Operator = "demo" }, $"Drilling space {shared.Name}...", ct));
            }

            // Last, as after losing the tenant's region: the whole tenant rebuilt in the empty standby tenant, each asset checked there.
            var standby = await RunAsync<DrillReport>(env.Host.Client, nameof(DrillOrchestrator),
                new DrillRequest { Scope = DrillScope.Tenant, Operator = "demo" }, "Drilling the whole tenant into the standby tenant...", ct);

            RenderDrills(drills);
            RenderStandbyDrill(standby);
            return identical && drills.All(d => d.Passed) && standby.Passed ? 0 : 1;
        }
    }

    static Task<CaptureRunResult> CaptureTierAsync(DurableTaskClient client, Tier tier, CancellationToken ct) =>
        RunAsync<CaptureRunResult>(client, nameof(CaptureTierOrchestrator), new CaptureTierInput(tier, CaptureTrigger.OnDemand), $"Capturing tier {tier}...", ct);

    /// <summary>Starts an orchestration and waits for it with a live status line showing its progress.</summary>
    static async Task<T> RunAsync<T>(DurableTaskClient client, string name, object input, string title, CancellationToken ct)
    {
        string id = await client.ScheduleNewOrchestrationInstanceAsync(name, input, ct);
        OrchestrationMetadata meta = await AnsiConsole.Status().StartAsync(title, async status =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(OperationTimeout);
            var started = DateTime.UtcNow;
            while (true)
            {
                OrchestrationMetadata? m = await client.GetInstanceAsync(id, getInputsAndOutputs: true, timeout.Token);
                if (m is { IsCompleted: true })
                {
                    return m;
                }

                status.Status($"{title} {m?.RuntimeStatus} {(DateTime.UtcNow - started).TotalSeconds:0}s");
                // Coarse steps: without a terminal every status change is a printed line.
                await Task.Delay(TimeSpan.FromSeconds(Console.IsOutputRedirected ? 5 : 0.25), timeout.Token);
            }
        });
        if (meta.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidOperationException($"{name} {id} ended {meta.RuntimeStatus}: {Failures.Describe(meta)}");
        }

        return meta.ReadOutputAs<T>()!;
    }

    static ILoggerFactory ConsoleLogs() => LoggerFactory.Create(logging => logging
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("QlikBackup", LogLevel.Information));

    static void RenderRuns(string title, IEnumerable<CaptureRunResult> runs)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title)
            .AddColumns("Tier", "Space", "Assets", "Captured", "Unchanged", "Failed", "Bytes", "New bytes");
        foreach (CaptureRunResult run in runs)
        {
            foreach (SpaceCaptureResult s in run.Spaces)
            {
                table.AddRow(run.Tier.ToString(), Markup.Escape(s.Space.SpaceName ?? s.Space.SpaceId), s.Assets.ToString(),
                    s.Summary.Captured.ToString(), s.Summary.Unchanged.ToString(), s.Summary.Failed.ToString(),
                    s.Summary.Bytes.ToString("N0"), s.Summary.NewBytes.ToString("N0"));
            }

            table.AddRow($"[bold]{run.Tier}[/]", "[bold]total[/]", run.Spaces.Sum(s => s.Assets).ToString(),
                run.Summary.Captured.ToString(), run.Summary.Unchanged.ToString(), run.Summary.Failed.ToString(),
                run.Summary.Bytes.ToString("N0"), run.Summary.NewBytes.ToString("N0"));
        }

        AnsiConsole.Write(table);
    }

    static void RenderPoints(IReadOnlyList<RecoveryPoint> points)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Recovery points (apps)")
            .AddColumns("App", "Space", "Tier", "Captured at", "Size", "Changed by", "Point id");
        foreach (RecoveryPoint p in points)
        {
            table.AddRow(Markup.Escape(p.Name ?? p.AssetId), Markup.Escape(p.SpaceName ?? p.SpaceId ?? ""), p.Tier.ToString(),
                p.CapturedAt.ToString("u"), p.Size.ToString("N0"), Markup.Escape(p.ChangedBy ?? ""), Markup.Escape(p.PointId));
        }

        AnsiConsole.Write(table);
    }

    static void RenderDrills(IReadOnlyList<DrillReport> drills)
    {
        foreach (DrillReport d in drills)
        {
            RenderDrill(d);
        }

        int assets = drills.Sum(d => d.Assets.Count), equal = drills.Sum(d => d.AssetsEqual);
        AnsiConsole.MarkupLine($"All drills: {equal} of {assets} assets, {drills.Sum(d => d.ObjectsEqual)} of {drills.Sum(d => d.Objects)} objects restored equal"
            + $" ({(assets == 0 ? 0 : 100.0 * equal / assets):0.#} %); reports: GET /api/drills");
    }

    static void RenderStandbyDrill(DrillReport d)
    {
        RenderDrill(d);
        int items = d.Assets.SelectMany(a => a.Checklist).Distinct().Count();
        string percent = $"({(d.Assets.Count == 0 ? 0 : 100.0 * d.AssetsEqual / d.Assets.Count):0.#} %)";
        AnsiConsole.MarkupLine(Markup.Escape($"Standby drill: {d.Headline.Replace(" restored equal,", $" restored equal {percent},", StringComparison.Ordinal)}; "
            + $"{items} reconfiguration checklist items; {d.Cleanup.Summary}; report: GET /api/drills/{d.DrillId}"));
        // What the clean-up removed from the standby, by kind ("app 'Sales' (id) from the standby tenant" → "app").
        var kinds = d.Cleanup.Removed.GroupBy(r => DrillService.StandbyKindNames.Where(k => r.StartsWith(k + " ", StringComparison.Ordinal)).MaxBy(k => k.Length) ?? "other")
            .Select(g => $"{g.Count()} {g.Key}{(g.Count() == 1 ? "" : "s")}").ToList();
        AnsiConsole.MarkupLine(Markup.Escape(d.Cleanup.Kept ?? (d.Cleanup.LeftBehind.Count == 0
            ? $"Standby clean-up: the standby is empty again ({string.Join(", ", kinds)} removed); the next Tenant drill can run"
            : $"Standby clean-up: {d.Cleanup.LeftBehind.Count} left behind (alerted; listed above), {d.Cleanup.Removed.Count} removed")));
    }

    static void RenderDrill(DrillReport d)
    {
        string scope = d.Request.Scope switch
        {
            DrillScope.Space => $"space {d.Assets.FirstOrDefault()?.Asset.Name} ({d.Tier})",
            DrillScope.Tenant => "whole tenant into the standby tenant",
            _ => d.Tier.ToString(),
        };
        AnsiConsole.MarkupLine($"Drill {Markup.Escape(scope)}: {(d.Passed ? "[green]PASSED[/]" : "[red]FAILED[/]")} {Markup.Escape(d.Headline)}");
        foreach (var a in d.Assets.Where(a => a.Result != DrillAssetResult.Equal))
        {
            AnsiConsole.MarkupLine($"  [red]{a.Result}[/] {Markup.Escape(a.Asset.Name ?? a.Asset.AssetId)} (point {Markup.Escape(a.Asset.PointId)}){Markup.Escape(a.Error is null ? "" : ": " + a.Error)}");
            foreach (var diff in a.Fidelity?.Differences ?? [])
            {
                AnsiConsole.MarkupLine($"    {Markup.Escape($"{diff.Object} / {diff.Attribute}: expected {diff.Expected ?? "(absent)"}, found {diff.Actual ?? "(absent)"}")}");
            }
        }

        foreach (string left in d.Cleanup.LeftBehind)
        {
            AnsiConsole.MarkupLine($"  [red]left behind[/] {Markup.Escape(left)}");
        }

        if (d.Error is not null)
        {
            AnsiConsole.MarkupLine($"  [red]{Markup.Escape(d.Error)}[/]");
        }
    }

    static async Task<string> Sha256Async(Stream stream, CancellationToken ct)
    {
        await using (stream)
        {
            return Convert.ToHexString(await SHA256.HashDataAsync(stream, ct)).ToLowerInvariant();
        }
    }

    static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
