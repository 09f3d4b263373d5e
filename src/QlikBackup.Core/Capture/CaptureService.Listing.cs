using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    const string PersonalSpaceName = "Personal";
    const string TenantConfigSpaceName = "Tenant configuration";

    /// <summary>Kinds listed for the tenant pseudo space, with whether only those outside any space belong there.</summary>
    static readonly (AssetKind Kind, bool OnlyWithoutSpace)[] TenantKinds =
    [
        (AssetKind.User, false), (AssetKind.Group, false), (AssetKind.Webhook, false), (AssetKind.Theme, false),
        (AssetKind.IdentityProvider, false), (AssetKind.ApiKey, false),
        (AssetKind.Automation, true), (AssetKind.AutomationConnection, true), (AssetKind.DataConnection, true),
    ];

    /// <summary>Kinds that belong to a space when their spaceId says so.</summary>
    static readonly AssetKind[] SpaceScopedKinds = [AssetKind.Automation, AssetKind.AutomationConnection, AssetKind.DataConnection];

    public async Task<IReadOnlyList<SpaceCaptureTarget>> ListSpacesAsync(Tier tier, CancellationToken ct = default)
    {
        IReadOnlyDictionary<string, Tier> configured = await tiers.GetAllAsync(ct);
        Tier TierOf(string spaceId) => configured.TryGetValue(spaceId, out Tier t) ? t : Options.DefaultTier;

        var targets = new List<SpaceCaptureTarget>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (QlikSpace space in rest.ListSpacesAsync(ct))
        {
            seen.Add(space.Id);
            if (TierOf(space.Id) == tier) targets.Add(new SpaceCaptureTarget(space.Id, space.Name, tier));
        }

        // Spaces deleted in Qlik since their last capture still get one more run, so their assets are marked deleted.
        foreach (var gone in (await catalog.ListTenantAsync(TenantId, ct))
            .Where(a => a.LastStatus != RecoveryPointStatus.Deleted && !a.Moved && !seen.Contains(a.SpaceId)
                && a.SpaceId is not (PersonalSpaceId or SpaceCaptureTarget.TenantConfigSpaceId))
            .GroupBy(a => a.SpaceId))
        {
            if (TierOf(gone.Key) == tier)
                targets.Add(new SpaceCaptureTarget(gone.Key, gone.FirstOrDefault(a => a.Kind == AssetKind.Space)?.Name, tier));
        }

        if (Options.CapturePersonalContent && TierOf(PersonalSpaceId) == tier && await CanListPersonalAsync(ct))
            targets.Add(new SpaceCaptureTarget(PersonalSpaceId, PersonalSpaceName, tier));
        if (Options.TenantConfigTier == tier)
            targets.Add(new SpaceCaptureTarget(SpaceCaptureTarget.TenantConfigSpaceId, TenantConfigSpaceName, tier));
        return targets;
    }

    /// <summary>Personal content is captured only if the backup principal may list it (Qlik answers 403 otherwise).</summary>
    async Task<bool> CanListPersonalAsync(CancellationToken ct)
    {
        try
        {
            await using IAsyncEnumerator<QlikItem> items = rest.ListItemsAsync("app", PersonalSpaceId, ct).GetAsyncEnumerator(ct);
            await items.MoveNextAsync();
            return true;
        }
        catch (QlikApiException ex) when (ex.Status is 400 or 401 or 403)
        {
            log.LogWarning("Personal content is not captured: listing personal items answered {Status}.", ex.Status);
            return false;
        }
    }

    public async Task<IReadOnlyList<AssetRef>> ListAssetsAsync(SpaceCaptureTarget space, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        using IDisposable listings = EnterScope(run);
        var assets = new List<AssetRef>();
        switch (space.SpaceId)
        {
            case SpaceCaptureTarget.TenantConfigSpaceId:
                foreach ((AssetKind kind, bool onlyWithoutSpace) in TenantKinds)
                {
                    foreach (QlikResource r in await ListResourcesAsync(kind, ct))
                    {
                        if (!onlyWithoutSpace || string.IsNullOrEmpty(r.SpaceId))
                            assets.Add(new AssetRef(kind, r.Id, r.Name, space.SpaceId, r.OwnerId, r.UpdatedAt));
                    }
                }

                break;

            case PersonalSpaceId:
                await AddAppsAsync(assets, PersonalSpaceId, ct);
                break;

            default:
                QlikSpace? qlikSpace = await rest.GetSpaceAsync(space.SpaceId, ct);
                if (qlikSpace is null) break; // Deleted: an empty listing lets MarkDeletedAsync mark what it held.
                assets.Add(new AssetRef(AssetKind.Space, qlikSpace.Id, qlikSpace.Name, qlikSpace.Id, qlikSpace.OwnerId, qlikSpace.UpdatedAt));
                await AddAppsAsync(assets, qlikSpace.Id, ct);
                foreach (AssetKind kind in SpaceScopedKinds)
                {
                    foreach (QlikResource r in await ListResourcesAsync(kind, ct))
                    {
                        if (r.SpaceId == qlikSpace.Id) assets.Add(new AssetRef(kind, r.Id, r.Name, qlikSpace.Id, r.OwnerId, r.UpdatedAt));
                    }
                }

                break;
        }

        return assets;
    }

    async Task AddAppsAsync(List<AssetRef> assets, string spaceId, CancellationToken ct)
    {
        await foreach (QlikItem item in rest.ListItemsAsync("app", spaceId, ct))
        {
            if (string.IsNullOrEmpty(item.ResourceId)) continue;
            assets.Add(new AssetRef(AssetKind.App, item.ResourceId, item.Name, spaceId, item.OwnerId, item.ResourceUpdatedAt));
        }
    }

    /// <summary>A tenant-wide listing, read once for the spaces and assets of one run, and once for a capture outside a run
    /// (see <see cref="ListingCache"/>).</summary>
    Task<IReadOnlyList<QlikResource>> ListResourcesAsync(AssetKind kind, CancellationToken ct)
        => ListResourcesAsync(ResourceKindOf(kind), ct);

    Task<IReadOnlyList<QlikResource>> ListResourcesAsync(QlikResourceKind kind, CancellationToken ct)
        => cache.GetAsync<IReadOnlyList<QlikResource>>(ListingScope, $"list:{kind}", ListingLifetime, async c =>
        {
            var list = new List<QlikResource>();
            await foreach (QlikResource r in rest.ListAsync(kind, c)) list.Add(r);
            return list;
        }, ct);

    /// <summary>The REST collection that holds an asset kind (apps and spaces have their own endpoints).</summary>
    public static QlikResourceKind ResourceKindOf(AssetKind kind) => kind switch
    {
        AssetKind.ReloadTask => QlikResourceKind.ReloadTask,
        AssetKind.DataAlert => QlikResourceKind.DataAlert,
        AssetKind.Subscription => QlikResourceKind.SharingTask,
        AssetKind.Automation => QlikResourceKind.Automation,
        AssetKind.AutomationConnection => QlikResourceKind.AutomationConnection,
        AssetKind.DataConnection => QlikResourceKind.DataConnection,
        AssetKind.Webhook => QlikResourceKind.Webhook,
        AssetKind.Theme => QlikResourceKind.Theme,
        AssetKind.IdentityProvider => QlikResourceKind.IdentityProvider,
        AssetKind.User => QlikResourceKind.User,
        AssetKind.Group => QlikResourceKind.Group,
        AssetKind.ApiKey => QlikResourceKind.ApiKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"{kind} has no REST resource collection."),
    };
}
