namespace QlikBackup.Qlik.Simulator.Seeding;

/// <summary>Knobs for <see cref="DemoTenantSeeder"/>. The same spec (incl. <see cref="Seed"/>) always yields the same tenant.</summary>
public sealed record DemoTenantSpec
{
    public int Seed { get; init; } = 42;

    /// <summary>Users besides the tenant admin (developers and analysts).</summary>
    public int Users { get; init; } = 5;
    public int Groups { get; init; } = 2;

    public int SharedSpaces { get; init; } = 2;
    /// <summary>Managed spaces; their apps are published copies of shared-space apps.</summary>
    public int ManagedSpaces { get; init; } = 1;
    public int DataSpaces { get; init; }

    /// <summary>Apps per shared and per managed space.</summary>
    public int AppsPerSpace { get; init; } = 2;
    /// <summary>Apps in users' personal spaces (spread over the non-admin users).</summary>
    public int PersonalApps { get; init; } = 1;

    public int SheetsPerApp { get; init; } = 2;
    public int ChartsPerSheet { get; init; } = 2;
    public int StoriesPerApp { get; init; } = 1;
    public int SlidesPerStory { get; init; } = 2;
    public int BookmarksPerApp { get; init; } = 2;
    public int MeasuresPerApp { get; init; } = 2;
    public int DimensionsPerApp { get; init; } = 2;
    public int MasterVisualizationsPerApp { get; init; } = 1;
    public int VariablesPerApp { get; init; } = 2;
    /// <summary>How many users other than the app owner hold private objects in each app (sheets/bookmarks/stories, published=false).</summary>
    public int PrivateObjectOwnersPerApp { get; init; } = 2;
    public int PrivateObjectsPerOwner { get; init; } = 2;

    /// <summary>Size of each app's data payload (what NoData=false exports carry).</summary>
    public int QvfDataBytes { get; init; } = 32 * 1024;

    public int ReloadTasks { get; init; } = 3;
    public int Automations { get; init; } = 2;
    public int AutomationConnections { get; init; } = 2;
    /// <summary>Extra data connections per shared/data space (each also gets a DataFiles connection).</summary>
    public int DataConnectionsPerSpace { get; init; } = 1;
    public int Webhooks { get; init; } = 1;
    /// <summary>Target URL of seeded webhooks (seeded webhooks are disabled unless a URL is given).</summary>
    public string? WebhookUrl { get; init; }
    public int Themes { get; init; } = 1;
    public int ApiKeys { get; init; } = 2;
    public int IdentityProviders { get; init; } = 1;
    public int DataAlerts { get; init; } = 1;
    public int SharingTasks { get; init; } = 1;

    /// <summary>Small tenant: 3 spaces (2 shared, 1 managed), 6 space apps + 1 personal app.</summary>
    public static DemoTenantSpec Demo { get; } = new();

    /// <summary>Larger tenant: 7 spaces, 54 space apps + 4 personal apps.</summary>
    public static DemoTenantSpec Large { get; } = new()
    {
        Users = 12, Groups = 4, SharedSpaces = 4, ManagedSpaces = 2, DataSpaces = 1, AppsPerSpace = 9, PersonalApps = 4,
        SheetsPerApp = 3, ChartsPerSheet = 3, ReloadTasks = 20, Automations = 6, AutomationConnections = 4, Webhooks = 2, Themes = 2,
        ApiKeys = 4, DataAlerts = 3, SharingTasks = 3, QvfDataBytes = 64 * 1024,
    };
}
