namespace QlikBackup.Core.Assets;

/// <summary>What a recovery point is of, in Qlik's own words.</summary>
public enum AssetKind
{
    Space,
    App,
    ReloadTask,
    DataAlert,
    Subscription,
    Automation,
    AutomationConnection,
    DataConnection,
    Webhook,
    Theme,
    IdentityProvider,
    User,
    Group,
    ApiKey,
}

/// <summary>RPO tiers: T1 minutes, T2 under an hour, T3 a day.</summary>
public enum Tier
{
    T1 = 1,
    T2 = 2,
    T3 = 3,
}

/// <summary>An asset to capture: enough to find it again in Qlik without another listing call.</summary>
public sealed record AssetRef(AssetKind Kind, string Id, string? Name = null, string? SpaceId = null, string? OwnerId = null, DateTimeOffset? ModifiedAt = null);
