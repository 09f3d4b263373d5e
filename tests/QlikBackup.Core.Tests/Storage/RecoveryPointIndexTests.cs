using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class RecoveryPointIndexTests(AzuriteFixture azurite)
{
    static readonly DateTimeOffset Day0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    readonly TableRecoveryPointIndex index = new(azurite.Tables, "T" + Guid.NewGuid().ToString("N")[..12]);
    readonly string tenant = NewTenant();

    [Fact]
    public async Task GetNewest_ReturnsTheAssetsLatestPointsNewestFirst()
    {
        int[] days = [3, 9, 1, 7, 5];
        foreach (int day in days)
        {
            await index.AddAsync(Point(AssetKind.App, "app-1", Day0.AddDays(day)));
        }

        await index.AddAsync(Point(AssetKind.App, "app-2", Day0.AddDays(20)));
        await index.AddAsync(Point(AssetKind.Theme, "app-1", Day0.AddDays(30))); // same id, other kind

        IReadOnlyList<RecoveryPoint> newest = await index.GetNewestAsync(tenant, AssetKind.App, "app-1", take: 3);

        Assert.Equal([Day0.AddDays(9), Day0.AddDays(7), Day0.AddDays(5)], newest.Select(p => p.CapturedAt));
        Assert.All(newest, p => Assert.Equal(("app-1", AssetKind.App), (p.AssetId, p.Kind)));
    }

    [Fact]
    public async Task SpaceAndDateRange_IsInclusiveNewestFirstAndOnlyThatSpace()
    {
        for (int day = 1; day <= 10; day++)
        {
            await index.AddAsync(Point(AssetKind.App, $"app-{day % 3}", Day0.AddDays(day), space: "space-1"));
            await index.AddAsync(Point(AssetKind.App, $"app-{day % 3}", Day0.AddDays(day).AddMinutes(1), space: "space-2"));
        }

        IReadOnlyList<RecoveryPoint> found = await index.QueryAsync(tenant, new RecoveryPointQuery
        {
            SpaceId = "space-1",
            From = Day0.AddDays(3),
            To = Day0.AddDays(6),
        });

        Assert.Equal([6, 5, 4, 3], found.Select(p => (p.CapturedAt - Day0).Days));
        Assert.All(found, p => Assert.Equal("space-1", p.SpaceId));

        IReadOnlyList<RecoveryPoint> firstTwo = await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = "space-2", Take = 2 });
        Assert.Equal([Day0.AddDays(10).AddMinutes(1), Day0.AddDays(9).AddMinutes(1)], firstTwo.Select(p => p.CapturedAt));
    }

    [Fact]
    public async Task QueryAll_reads_past_one_page_including_points_that_share_the_page_boundarys_time()
    {
        // Nine apps, three of them captured at the same instant: with pages of 4, that instant straddles a page boundary.
        for (int i = 0; i < 9; i++)
        {
            DateTimeOffset at = i is >= 3 and <= 5 ? Day0.AddDays(5) : Day0.AddDays(i);
            await index.AddAsync(Point(AssetKind.App, $"app-{i}", at, space: "big-space"));
        }

        await index.AddAsync(Point(AssetKind.App, "elsewhere", Day0.AddDays(3), space: "other-space"));

        IReadOnlyList<RecoveryPoint> page = await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = "big-space", Take = 4 });
        IReadOnlyList<RecoveryPoint> all = await index.QueryAllAsync(tenant, new RecoveryPointQuery { SpaceId = "big-space", Take = 4 });

        Assert.Equal(4, page.Count);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"app-{i}").Order(), all.Select(p => p.AssetId).Order());
        Assert.Equal(all.Count, all.Select(p => p.PointId).Distinct().Count());
    }

    [Fact]
    public async Task Search_ByNameSubstringAndOwner_AcrossTheTenant()
    {
        await index.AddAsync(Point(AssetKind.App, "a1", Day0.AddDays(1), name: "Sales Dashboard", owner: "alice", space: "s1"));
        await index.AddAsync(Point(AssetKind.App, "a2", Day0.AddDays(2), name: "Quarterly SALES", owner: "bob"));
        await index.AddAsync(Point(AssetKind.App, "a3", Day0.AddDays(3), name: "HR", owner: "alice"));
        await index.AddAsync(Point(AssetKind.Theme, "t1", Day0.AddDays(4), name: "sales theme", owner: "alice"));
        // A tenant whose id extends this one must not leak into its range scan.
        await index.AddAsync(Point(AssetKind.App, "x1", Day0.AddDays(5), name: "Sales elsewhere", owner: "alice") with
        {
            TenantId = tenant + "x",
        });

        IReadOnlyList<RecoveryPoint> sales = await index.QueryAsync(tenant, new RecoveryPointQuery { NameContains = "sales" });
        Assert.Equal(["t1", "a2", "a1"], sales.Select(p => p.AssetId));

        IReadOnlyList<RecoveryPoint> aliceApps = await index.QueryAsync(tenant, new RecoveryPointQuery { OwnerId = "alice", Kind = AssetKind.App });
        Assert.Equal(["a3", "a1"], aliceApps.Select(p => p.AssetId));

        IReadOnlyList<RecoveryPoint> aliceSalesInSpace = await index.QueryAsync(tenant, new RecoveryPointQuery
        {
            SpaceId = "s1", OwnerId = "alice", NameContains = "dash",
        });
        Assert.Equal(["a1"], aliceSalesInSpace.Select(p => p.AssetId));

        IReadOnlyList<RecoveryPoint> byAsset = await index.QueryAsync(tenant, new RecoveryPointQuery { AssetId = "t1" });
        Assert.Equal([AssetKind.Theme], byAsset.Select(p => p.Kind));
    }

    [Fact]
    public async Task GetAndDelete_ArePointOperationsThatKeepEveryField()
    {
        const string awkwardId = "a/b\\c#d?e|f%g";
        DateTimeOffset at = Day0.AddTicks(1234567);
        RecoveryPoint point = Point(AssetKind.DataConnection, awkwardId, at, name: "Conn", owner: "o1", space: "sp/1") with
        {
            SpaceName = "Finance",
            Tier = Tier.T1,
            SourceModifiedAt = at.AddHours(-1),
            Status = RecoveryPointStatus.Captured,
            ManifestRef = new string('a', 64),
            Size = 123,
            NewBytes = 45,
            ChangedBy = "user-9",
            ChangedAt = at.AddHours(-2),
            ChangedFromClient = "hub",
            Error = null,
        };
        await index.AddAsync(point);
        await index.AddAsync(point); // an activity retry: same point again

        RecoveryPoint? read = await index.GetAsync(tenant, point.PointId);
        Assert.Equal(point, read);
        Assert.Single(await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = "sp/1" }));

        await index.DeleteAsync(tenant, point.PointId);
        Assert.Null(await index.GetAsync(tenant, point.PointId));
        Assert.Empty(await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = "sp/1" }));
        await index.DeleteAsync(tenant, point.PointId); // already gone: not an error
    }

    [Fact]
    public async Task BadPointIds_AreRejectedAsBadInput()
    {
        Assert.Contains("not a recovery point id", (await Assert.ThrowsAsync<ArgumentException>(() => index.GetAsync(tenant, "nope!"))).Message);
        RecoveryPoint wrongId = Point(AssetKind.App, "a", Day0) with { PointId = RecoveryPointIds.Create(AssetKind.App, "b", Day0) };
        Assert.Contains("RecoveryPointIds.Create", (await Assert.ThrowsAsync<ArgumentException>(() => index.AddAsync(wrongId))).Message);
    }

    RecoveryPoint Point(AssetKind kind, string assetId, DateTimeOffset at, string? name = null, string? owner = null, string? space = null) => new()
    {
        TenantId = tenant,
        PointId = RecoveryPointIds.Create(kind, assetId, at),
        Kind = kind,
        AssetId = assetId,
        CapturedAt = at,
        Name = name ?? assetId,
        OwnerId = owner,
        SpaceId = space,
    };
}
