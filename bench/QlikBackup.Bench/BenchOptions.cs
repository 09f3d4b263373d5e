using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.Bench;

/// <summary>The size of the simulated tenant and what the run measures.</summary>
public sealed record BenchOptions
{
    public int Apps { get; init; } = 1600;
    public int Spaces { get; init; } = 6;
    /// <summary>Sheets per app (each with <see cref="DemoTenantSpec.ChartsPerSheet"/> charts; stories, bookmarks and master items as the demo).</summary>
    public int SheetsPerApp { get; init; } = 2;
    public int QvfDataBytes { get; init; } = 64 * 1024;
    /// <summary>Users other than the app owner who hold private objects in each app.</summary>
    public int PrivateObjectOwnersPerApp { get; init; } = 2;
    public int Users { get; init; } = 8;
    /// <summary>Apps changed (new data) for each parallelism run; all in the first space.</summary>
    public int ParallelismSample { get; init; } = 40;
    /// <summary>The capture's default parallelism (Capture:MaxParallelAssetsPerSpace of the local host).</summary>
    public int DefaultParallelism { get; init; } = 8;
    /// <summary>Percentage of apps changed before the last re-capture.</summary>
    public double ChangedPercent { get; init; } = 1;
    /// <summary>Apps of the space restored as a whole (taken from the largest space before the first capture).</summary>
    public int SmallSpaceApps { get; init; } = 20;
    /// <summary>Data of the app the app restore deletes and restores, MiB.</summary>
    public int LargeAppMiB { get; init; } = 50;
    /// <summary>Data of the app captured and restored for memory (Qlik's largest apps are GiBs); 0 skips those steps.</summary>
    public int HugeAppMiB { get; init; } = 1024;

    /// <summary>Shared spaces only: a managed space's apps are published copies, which would double the count.</summary>
    public DemoTenantSpec Spec => DemoTenantSpec.Demo with
    {
        Users = Users,
        Groups = 2,
        SharedSpaces = Spaces,
        ManagedSpaces = 0,
        DataSpaces = 0,
        AppsPerSpace = (Apps + Spaces - 1) / Spaces,
        PersonalApps = 0,
        SheetsPerApp = SheetsPerApp,
        PrivateObjectOwnersPerApp = PrivateObjectOwnersPerApp,
        QvfDataBytes = QvfDataBytes,
        // Tenant-wide listings that scale with the tenant, as in Qlik's load tests.
        ReloadTasks = Math.Max(1, Apps / 4),
        DataAlerts = Math.Max(1, Apps / 20),
        SharingTasks = Math.Max(1, Apps / 20),
    };
}
