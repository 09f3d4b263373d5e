using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;

namespace QlikBackup.Core.Tests.Storage;

/// <summary>
/// Deployments sharing one storage account, composed exactly as the hosts compose them (AddQlikBackup): whatever one
/// writes to any of its stores, the other cannot read. And ids Table keys cannot hold as they are still round-trip.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TenantIsolationTests(AzuriteFixture azurite)
{
    static readonly DateTimeOffset At = new(2026, 2, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Ids with every character Table keys forbid, the separator, the escape character, and a 2,000-character one.</summary>
    public static readonly string[] HostileIds =
        ["a#b", "a?b", @"a\b", "a/b", "a\u0000b", "a\nb", "a|b", "a%7Cb", "../x", new string('x', 2000), "é" + new string('é', 1999)];

    ServiceProvider Deployment(string tenantId, string prefix)
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = prefix,
            ["Crypto:KeyProvider"] = "Local",
            ["Crypto:LocalKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Qlik:TenantUrl"] = "https://unused.eu.qlikcloud.com",
            ["Qlik:TenantId"] = tenantId,
            ["Qlik:ApiKey"] = "unused",
        }).Build();
        return new ServiceCollection().AddLogging().AddQlikBackup(config).BuildServiceProvider();
    }

    static RecoveryPoint Point(string tenantId, string assetId, string spaceId) => new()
    {
        TenantId = tenantId,
        PointId = RecoveryPointIds.Create(AssetKind.App, assetId, At),
        Kind = AssetKind.App,
        AssetId = assetId,
        SpaceId = spaceId,
        CapturedAt = At,
        Name = "Sales",
    };

    static RestoreAuditEntry Audit(string tenantId, string restoreId) => new(
        restoreId, tenantId, At, "operator", RestoreScope.App, RestoreTargetKind.InPlace, null, ["App app-1"], ["p"], "plan", 1, 0,
        RestoreOutcomeKind.Succeeded, null, "app-1", TimeSpan.FromSeconds(3));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Nothing_one_deployment_writes_is_visible_to_another_on_the_same_account(bool samePrefix)
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        await using ServiceProvider a = Deployment("tenant-a-" + suffix, "A" + suffix);
        await using ServiceProvider b = Deployment("tenant-b-" + suffix, samePrefix ? "A" + suffix : "B" + suffix);
        string tenantA = a.GetRequiredService<ITenantContext>().TenantId, tenantB = b.GetRequiredService<ITenantContext>().TenantId;
        const string restoreId = "restore-1", eventId = "event-1";

        // Tenant A uses every store.
        await a.GetRequiredService<ISpaceTierStore>().SetAsync("space-1", Tier.T1);
        await a.GetRequiredService<CaptureRunLog>().RecordAsync(new CaptureRun(Tier.T1, "run-a", At, At, 1, CaptureSummary.Empty));
        await a.GetRequiredService<IRecoveryPointIndex>().AddAsync(Point(tenantA, "app-1", "space-1"));
        await a.GetRequiredService<CapturedAssetCatalog>().TryWriteAsync(
            tenantA, new CapturedAsset(AssetKind.App, "app-1", "space-1", "Sales", Tier.T1, RecoveryPointStatus.Captured), "p", head: null);
        Assert.True(await a.GetRequiredService<WebhookEventLog>().TryRecordAsync(eventId, "com.qlik.v1.app.updated", At));
        await a.GetRequiredService<RestoreAuditLog>().RecordAsync(Audit(tenantA, restoreId));
        await a.GetRequiredService<RestoreProgressStore>().MarkDoneAsync(restoreId, "action-1", "old", "new", default);
        string contentRef = (await a.GetRequiredService<IContentStore>().PutAsync(tenantA, new MemoryStream([1, 2, 3]))).ContentRef;

        // Tenant B sees none of it, through the same stores and the same ids.
        Assert.Empty(await b.GetRequiredService<ISpaceTierStore>().GetAllAsync());
        Assert.Empty(await b.GetRequiredService<CaptureRunLog>().RecentAsync(Tier.T1, 10));
        Assert.Null((await b.GetRequiredService<CaptureRunLog>().StatusAsync(Tier.T1)).LastRun);
        Assert.Empty(await b.GetRequiredService<IRecoveryPointIndex>().QueryAsync(tenantB, new RecoveryPointQuery()));
        Assert.Empty(await b.GetRequiredService<IRecoveryPointIndex>().GetNewestAsync(tenantB, AssetKind.App, "app-1"));
        Assert.Empty(await b.GetRequiredService<CapturedAssetCatalog>().ListTenantAsync(tenantB));
        Assert.True(await b.GetRequiredService<WebhookEventLog>().TryRecordAsync(eventId, "com.qlik.v1.app.updated", At));
        Assert.Empty(await b.GetRequiredService<RestoreAuditLog>().RecentAsync(tenantB, 10));
        Assert.Empty(await b.GetRequiredService<RestoreAuditLog>().ReadDayAsync(tenantB, DateOnly.FromDateTime(At.UtcDateTime)));
        Assert.Empty(await b.GetRequiredService<RestoreProgressStore>().LoadAsync(restoreId, default));
        Assert.Empty(await ToListAsync(b.GetRequiredService<IContentStore>().ListContentRefsAsync(tenantB)));

        // The writes did land: A reads each of them back.
        Assert.Equal(Tier.T1, (await a.GetRequiredService<ISpaceTierStore>().GetAllAsync())["space-1"]);
        Assert.Equal("run-a", Assert.Single(await a.GetRequiredService<CaptureRunLog>().RecentAsync(Tier.T1, 10)).RunId);
        Assert.Single(await a.GetRequiredService<IRecoveryPointIndex>().QueryAsync(tenantA, new RecoveryPointQuery()));
        Assert.Single(await a.GetRequiredService<CapturedAssetCatalog>().ListTenantAsync(tenantA));
        Assert.Single(await a.GetRequiredService<RestoreAuditLog>().RecentAsync(tenantA, 10));
        Assert.Single(await a.GetRequiredService<RestoreAuditLog>().ReadDayAsync(tenantA, DateOnly.FromDateTime(At.UtcDateTime)));
        Assert.Single(await a.GetRequiredService<RestoreProgressStore>().LoadAsync(restoreId, default));
        Assert.Contains(contentRef, await ToListAsync(a.GetRequiredService<IContentStore>().ListContentRefsAsync(tenantA)));
    }

    [Fact]
    public async Task Ids_Table_keys_cannot_hold_as_they_are_are_stored_and_read_back_exactly()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        await using ServiceProvider d = Deployment("tenant-" + suffix, "K" + suffix);
        string tenant = d.GetRequiredService<ITenantContext>().TenantId;
        var index = d.GetRequiredService<IRecoveryPointIndex>();
        var catalog = d.GetRequiredService<CapturedAssetCatalog>();
        var progress = d.GetRequiredService<RestoreProgressStore>();
        var events = d.GetRequiredService<WebhookEventLog>();
        var tiers = d.GetRequiredService<ISpaceTierStore>();

        foreach (string id in HostileIds)
        {
            await index.AddAsync(Point(tenant, id, id));
            Assert.Equal(id, Assert.Single(await index.GetNewestAsync(tenant, AssetKind.App, id)).AssetId);
            Assert.Equal(id, Assert.Single(await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = id })).AssetId);
            Assert.True(await catalog.TryWriteAsync(tenant, new CapturedAsset(AssetKind.App, id, id, null, Tier.T3, RecoveryPointStatus.Captured), "p", null));
            Assert.Equal(id, Assert.Single(await catalog.ListSpaceAsync(tenant, id)).AssetId);
            await progress.MarkDoneAsync(id, id, "old", "new", default);
            Assert.Equal(id, Assert.Single(await progress.LoadAsync(id, default)).Key);
            Assert.True(await events.TryRecordAsync(id, "t", At));
            Assert.False(await events.TryRecordAsync(id, "t", At));
            // The tier store refuses (with the exception the API maps to 400) what no Qlik space id can be.
            if (CanBeSpaceId(id))
            {
                await tiers.SetAsync(id, Tier.T2);
                Assert.Equal(Tier.T2, await tiers.GetTierAsync(id));
            }
            else
            {
                await Assert.ThrowsAsync<InvalidSpaceIdException>(() => tiers.SetAsync(id, Tier.T2));
            }
        }

        Assert.Equal(HostileIds.Where(CanBeSpaceId).Order(StringComparer.Ordinal), (await tiers.GetAllAsync()).Keys.Order(StringComparer.Ordinal));
    }

    static bool CanBeSpaceId(string id) => id.Length <= 128 && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (string item in items) list.Add(item);
        return list;
    }
}
