using QlikBackup.Bench;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// The benchmark (bench/QlikBackup.Bench) at a reduced size: the invariants that do not depend on speed. Request counts are
/// asserted per asset against bounds, never seconds. In the local-host collection, so it never shares the machine with
/// the API tests' host.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class BenchSmokeTests
{
    static readonly BenchOptions Reduced = new()
    {
        Apps = 30, Spaces = 3, SheetsPerApp = 1, QvfDataBytes = 16 * 1024, ParallelismSample = 3, ChangedPercent = 5,
    };

    static readonly Lazy<Task<BenchReport>> Run = new(() => new BenchRunner(Reduced).RunAsync(CancellationToken.None));

    [Fact]
    public async Task Every_check_of_the_run_passes()
    {
        BenchReport report = await Run.Value;

        Assert.All(report.Checks, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        Assert.Equal(Reduced.Apps, report.AppsSeeded);
    }

    [Fact]
    public async Task An_unchanged_recapture_stores_nothing_and_opens_no_Engine_session()
    {
        PhaseResult unchanged = (await Run.Value).Phase(Phases.Unchanged);

        Assert.Equal(0, unchanged.NewBytes);
        Assert.Equal(0, unchanged.Captured);
        Assert.Equal(0, unchanged.Request("qlik:engine-session"));
        Assert.Equal(0, unchanged.Request("blob:created"));
        // Decided from the listings before the fan-out: no app is read from Qlik on its own.
        Assert.Equal(0, unchanged.Request("qlik:apps"));
    }

    [Fact]
    public async Task A_recapture_reads_only_the_changed_apps()
    {
        PhaseResult changed = (await Run.Value).Phase(Phases.Changed);

        // Each changed app: its GET and export, and its Engine sessions (owner and private-object owners); nothing for the others.
        Assert.InRange(changed.Request("qlik:apps"), changed.Captured, 3 * changed.Captured);
        Assert.InRange(changed.Request("qlik:engine-session"), changed.Captured, (1 + Reduced.Users) * changed.Captured);
    }

    [Fact]
    public async Task Tenant_wide_listings_are_read_once_per_run_not_once_per_app()
    {
        BenchReport report = await Run.Value;

        // Once per run and once more per listing-cache period (30 s) the run lasts: far below once per app (30 each before),
        // however slow the machine. A run that follows within the cache period reuses the listing (0).
        long bound = Reduced.Apps / 3;
        foreach (string listing in new[] { "qlik:reload-tasks", "qlik:data-alerts", "qlik:sharing-tasks" })
        {
            Assert.InRange(report.Phase(Phases.FullCapture).Request(listing), 1, bound);
            Assert.InRange(report.Phase(Phases.Unchanged).Request(listing), 0, bound);
            Assert.InRange(report.Phase(Phases.Changed).Request(listing), 0, bound);
        }
    }

    [Fact]
    public async Task Requests_per_asset_stay_within_bounds()
    {
        BenchReport report = await Run.Value;
        PhaseResult full = report.Phase(Phases.FullCapture);
        PhaseResult unchanged = report.Phase(Phases.Unchanged);

        // Bounds measured with this configuration and kept with room; a change that multiplies requests fails here.
        // Small parts are packed: one PUT for an app's parts and one for its manifest (about 94 requests per asset before packs).
        Assert.InRange(Per(full.Request("blob:backup") + full.Request("table:backup"), full.Assets), 1, 20);
        Assert.InRange(Per(full.Request("blob:backup"), (int)full.PartsStored), 0.01, 0.25); // 0.17 here (1 sheet per app), about 3.8 before packs
        Assert.InRange(full.Request("blob:created"), full.Captured, 3 * full.Captured);
        Assert.InRange(Per(full.Request("qlik:engine-session"), report.AppsSeeded), 1, 1 + Reduced.Users);
        Assert.InRange(Per(unchanged.Request("blob:backup") + unchanged.Request("table:backup"), unchanged.Assets), 0, 4);
        Assert.InRange(Per(unchanged.Request("table:backup"), unchanged.Assets), 0, 6);
        Assert.InRange(Per(full.Request("qlik:audits"), full.Assets), 0, 2);
        // Each stored blob is one create; the raw floor is one request per blob.
        Assert.Equal(report.Phase(Phases.RawUpload).Assets, report.Phase(Phases.RawUpload).Request("blob:backup"));
    }

    static double Per(long count, int of) => (double)count / of;
}
