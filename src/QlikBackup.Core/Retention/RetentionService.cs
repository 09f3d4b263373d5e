using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Retention;

/// <summary>What one prune did.</summary>
public sealed record RetentionResult(
    int Assets, int PointsKept, int PointsPruned, int BlobsReferenced, int BlobsDeleted, int BlobsAwaitingGrace, int WebhookEventsPurged)
{
    /// <summary>Packs still referenced, and their size in bytes.</summary>
    public int PacksReferenced { get; init; }
    public long PackBytes { get; init; }

    /// <summary>Bytes of those packs' entries that a kept point references; the rest is garbage (and headers) until the
    /// pack is repacked or wholly unreferenced.</summary>
    public long PackBytesLive { get; init; }

    /// <summary>Referenced packs whose live entries are less than half their size.</summary>
    public int PacksMostlyGarbage { get; init; }

    /// <summary>Packs whose live entries this prune copied into a new pack (the old one goes with a later sweep).</summary>
    public int PacksRepacked { get; init; }
}

/// <summary>
/// Applies retention to one tenant: deletes index entries the <see cref="RetentionPlanner"/> drops, then mark-and-sweep over
/// the content store. Mark = every manifest of every remaining point, every part it names, and every chunk of those; sweep =
/// blobs listed before the mark that nothing marked references, deleted only once they have been unreferenced for
/// <see cref="RetentionOptions.SweepGracePeriod"/> (table "RetentionSweep" remembers since when). Listing first and the grace
/// period together make a capture that reuses a blob during a prune safe: its point is in the index by the next prune.
/// </summary>
public sealed class RetentionService
{
    public const string SweepTableName = "RetentionSweep";
    const int PageSize = 1000;

    readonly IRecoveryPointIndex index;
    readonly IContentStore store;
    readonly CapturedAssetCatalog catalog;
    readonly WebhookEventLog webhookEvents;
    readonly ITenantContext tenant;
    readonly IOptions<RetentionOptions> options;
    readonly IOptions<WebhookOptions> webhookOptions;
    readonly TimeProvider clock;
    readonly ILogger<RetentionService> log;
    readonly LazyTable sweepTable;

    public RetentionService(
        IRecoveryPointIndex index, IContentStore store, CapturedAssetCatalog catalog, WebhookEventLog webhookEvents, StorageTables tables,
        ITenantContext tenant, IOptions<RetentionOptions> options, IOptions<WebhookOptions> webhookOptions, TimeProvider clock,
        ILogger<RetentionService> log)
    {
        this.index = index;
        this.store = store;
        this.catalog = catalog;
        this.webhookEvents = webhookEvents;
        this.tenant = tenant;
        this.options = options;
        this.webhookOptions = webhookOptions;
        this.clock = clock;
        this.log = log;
        sweepTable = tables.Get(SweepTableName);
    }

    public async Task<RetentionResult> PruneAsync(string? tenantId = null, CancellationToken ct = default)
    {
        tenantId ??= tenant.TenantId;
        DateTimeOffset now = clock.GetUtcNow();

        // Snapshot of stored blobs before anything is marked: blobs written after this point are never swept by this run.
        var stored = new List<string>();
        await foreach (string blob in store.ListContentRefsAsync(tenantId, ct)) stored.Add(blob);
        IReadOnlyDictionary<string, StoredPack> packSizes = await store.ListPacksAsync(tenantId, ct);
        var packs = new PackLiveness(await store.GetPackForwardsAsync(tenantId, ct));

        var assets = (await catalog.ListTenantAsync(tenantId, ct)).DistinctBy(a => (a.Kind, a.AssetId)).ToList();
        var manifests = new HashSet<string>(StringComparer.Ordinal);
        int kept = 0, pruned = 0;
        foreach (CapturedAsset asset in assets)
        {
            IReadOnlyList<RecoveryPoint> points = await AllPointsAsync(tenantId, asset, ct);
            if (points.Count == 0) continue;
            RetentionPlan plan = RetentionPlanner.Plan(points, now, options.Value.For(points[0].Tier));
            foreach (RecoveryPoint p in plan.Prune)
            {
                await index.DeleteAsync(tenantId, p.PointId, ct);
            }

            foreach (RecoveryPoint p in plan.Keep)
            {
                if (p.ManifestRef is { } m) manifests.Add(m);
            }

            kept += plan.Keep.Count;
            pruned += plan.Prune.Count;
        }

        HashSet<string> referenced = await MarkAsync(tenantId, manifests, packs, ct);
        (int deleted, int waiting) = await SweepAsync(tenantId, stored, referenced, now, ct);
        int repacked = await RepackAsync(tenantId, packSizes, packs, now, ct);
        int purged = await webhookEvents.PurgeAsync(now - webhookOptions.Value.MaxEventAge, ct);
        var result = PackUse(new RetentionResult(assets.Count, kept, pruned, referenced.Count, deleted, waiting, purged), packSizes, packs)
            with { PacksRepacked = repacked };
        log.LogInformation("Retention for {Tenant}: {Result}", tenantId, result);
        return result;
    }

    /// <summary>Every point of the asset, newest first, paging back in time past the index's page limit.</summary>
    async Task<IReadOnlyList<RecoveryPoint>> AllPointsAsync(string tenantId, CapturedAsset asset, CancellationToken ct)
    {
        var all = new List<RecoveryPoint>();
        DateTimeOffset? before = null;
        while (true)
        {
            IReadOnlyList<RecoveryPoint> page = await index.QueryAsync(
                tenantId, new RecoveryPointQuery { Kind = asset.Kind, AssetId = asset.AssetId, To = before, Take = PageSize }, ct);
            all.AddRange(page.Where(p => before is null || p.CapturedAt < before));
            if (page.Count < PageSize) break;
            before = page[^1].CapturedAt;
        }

        return all.DistinctBy(p => p.PointId).ToList();
    }

    /// <summary>Manifests, the parts they name and the chunks or packs (and forwarding records) of all of them; each packed
    /// part is counted in <paramref name="packs"/>.</summary>
    async Task<HashSet<string>> MarkAsync(string tenantId, HashSet<string> manifests, PackLiveness packs, CancellationToken ct)
    {
        var contents = new HashSet<string>(manifests, StringComparer.Ordinal);
        foreach (string manifestRef in manifests)
        {
            packs.AddManifest(manifestRef);
            Manifest manifest = await store.ReadManifestAsync(tenantId, manifestRef, ct);
            foreach (ManifestPart part in manifest.Parts)
            {
                contents.Add(part.ContentRef);
                packs.AddPart(part.ContentRef, part.Size);
            }
        }

        var referenced = new HashSet<string>(contents, StringComparer.Ordinal);
        foreach (string content in contents)
        {
            foreach (string blob in packs.BlobsOf(content) ?? await store.GetChunkRefsAsync(tenantId, content, ct)) referenced.Add(blob);
        }

        return referenced;
    }

    /// <summary>
    /// Copies the live entries of each referenced pack that is mostly garbage into a new pack (see
    /// <see cref="IContentStore.RepackAsync"/>). The new pack and its forwarding record are written after this prune's
    /// listing, so this prune never sweeps them; the next prune finds the old pack unreferenced and sweeps it after the
    /// grace period, while readers follow the record. Idempotent: a repeated repack writes the same pack and record.
    /// Only packs older than the grace period: a capture can point a new part at an entry of a pack only while the pack is
    /// younger than Storage:PackDedupWindow (which must be shorter), so the live entries marked here are all it will need.
    /// </summary>
    async Task<int> RepackAsync(string tenantId, IReadOnlyDictionary<string, StoredPack> listed, PackLiveness packs, DateTimeOffset now, CancellationToken ct)
    {
        RetentionOptions o = options.Value;
        if (o.RepackBelowLivePercent <= 0) return 0;
        int repacked = 0;
        foreach ((string packRef, StoredPack stored) in listed)
        {
            string pack = packRef[BlobLayout.PackRefPrefix.Length..];
            long size = stored.Size;
            if (size < o.RepackMinPackBytes || now - stored.LastModified < o.SweepGracePeriod
                || packs.IsWhole(pack) || packs.IsForwarded(pack) || !packs.IsReferenced(pack)) continue;
            if (packs.LiveBytes(pack, size) * 100 >= size * o.RepackBelowLivePercent) continue;
            if (await store.RepackAsync(tenantId, pack, packs.LiveEntries(pack), ct) is not null) repacked++;
        }

        return repacked;
    }

    /// <summary>How much of each referenced pack is live (see <see cref="PackLiveness"/>).</summary>
    static RetentionResult PackUse(RetentionResult result, IReadOnlyDictionary<string, StoredPack> listed, PackLiveness packs)
    {
        var referenced = listed.Select(p => (Pack: p.Key[BlobLayout.PackRefPrefix.Length..], p.Value.Size)).Where(p => packs.IsReferenced(p.Pack)).ToList();
        return result with
        {
            PacksReferenced = referenced.Count,
            PackBytes = referenced.Sum(p => p.Size),
            PackBytesLive = referenced.Sum(p => packs.LiveBytes(p.Pack, p.Size)),
            PacksMostlyGarbage = referenced.Count(p => packs.LiveBytes(p.Pack, p.Size) * 2 < p.Size),
        };
    }

    async Task<(int Deleted, int Waiting)> SweepAsync(string tenantId, List<string> stored, HashSet<string> referenced, DateTimeOffset now, CancellationToken ct)
    {
        TableClient table = await sweepTable.GetAsync(ct);
        string pk = TableKeys.Tenant(tenantId);
        var since = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(x => x.PartitionKey == pk, cancellationToken: ct))
        {
            string blob = e.GetString("Blob");
            if (referenced.Contains(blob))
            {
                // Referenced again (a capture reused it): no longer a candidate.
                await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, ct);
            }
            else if (e.GetDateTimeOffset("Since") is { } s)
            {
                since[blob] = s;
            }
        }

        TimeSpan grace = options.Value.SweepGracePeriod;
        int deleted = 0, waiting = 0;
        // Descriptors before chunks, so a half-finished sweep never leaves a descriptor whose chunks are gone.
        foreach (string blob in stored.Where(b => !referenced.Contains(b)).OrderBy(b => b.StartsWith(BlobLayout.ChunkRefPrefix, StringComparison.Ordinal)))
        {
            DateTimeOffset first = since.TryGetValue(blob, out DateTimeOffset s) ? s : now;
            string rowKey = RowKey(blob);
            if (now - first >= grace)
            {
                await store.DeleteAsync(tenantId, blob, ct);
                if (since.ContainsKey(blob)) await table.DeleteEntityAsync(pk, rowKey, ETag.All, ct);
                deleted++;
            }
            else
            {
                if (!since.ContainsKey(blob))
                    await table.UpsertEntityAsync(new TableEntity(pk, rowKey) { ["Blob"] = blob, ["Since"] = first }, TableUpdateMode.Replace, ct);
                waiting++;
            }
        }

        return (deleted, waiting);
    }

    static string RowKey(string blob) => TableKeys.Escape(blob);
}
