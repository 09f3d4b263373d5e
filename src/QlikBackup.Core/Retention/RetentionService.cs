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

    /// <summary>Bytes of those packs' entries that a kept point references; the rest is garbage (and headers) kept until the
    /// whole pack is unreferenced, since packs are not repacked.</summary>
    public long PackBytesLive { get; init; }

    /// <summary>Referenced packs whose live entries are less than half their size: what repacking would rewrite.</summary>
    public int PacksMostlyGarbage { get; init; }
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
        IReadOnlyDictionary<string, long> packSizes = await store.GetPackSizesAsync(tenantId, ct);

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

        (HashSet<string> referenced, Dictionary<string, long> partSizes) = await MarkAsync(tenantId, manifests, ct);
        (int deleted, int waiting) = await SweepAsync(tenantId, stored, referenced, now, ct);
        int purged = await webhookEvents.PurgeAsync(now - webhookOptions.Value.MaxEventAge, ct);
        var result = PackUse(new RetentionResult(assets.Count, kept, pruned, referenced.Count, deleted, waiting, purged), packSizes, partSizes, manifests);
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

    /// <summary>Manifests, the parts they name and the chunks or packs of all of them; and each part's size, by reference.</summary>
    async Task<(HashSet<string> Referenced, Dictionary<string, long> PartSizes)> MarkAsync(string tenantId, HashSet<string> manifests, CancellationToken ct)
    {
        var contents = new HashSet<string>(manifests, StringComparer.Ordinal);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string manifestRef in manifests)
        {
            Manifest manifest = await store.ReadManifestAsync(tenantId, manifestRef, ct);
            foreach (ManifestPart part in manifest.Parts)
            {
                contents.Add(part.ContentRef);
                sizes[part.ContentRef] = part.Size;
            }
        }

        var referenced = new HashSet<string>(contents, StringComparer.Ordinal);
        foreach (string content in contents)
        {
            foreach (string chunk in await store.GetChunkRefsAsync(tenantId, content, ct)) referenced.Add(chunk);
        }

        return (referenced, sizes);
    }

    /// <summary>
    /// How much of each referenced pack is live: the sealed size of its entries that kept parts name (a pack holding a
    /// manifest counts as live whole: a manifest's own size is not recorded anywhere). No request: sizes come from the
    /// listing and the manifests already read.
    /// </summary>
    static RetentionResult PackUse(RetentionResult result, IReadOnlyDictionary<string, long> packSizes, Dictionary<string, long> partSizes, HashSet<string> manifests)
    {
        var live = new Dictionary<string, long>(StringComparer.Ordinal);
        var whole = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string contentRef, long size) in partSizes)
        {
            string? pack = PackOf(contentRef);
            if (pack is not null) live[pack] = live.GetValueOrDefault(pack) + size + PackEntryOverhead;
        }

        foreach (string manifest in manifests)
        {
            if (PackOf(manifest) is { } pack) whole.Add(pack);
        }

        var referenced = packSizes.Where(p => live.ContainsKey(p.Key) || whole.Contains(p.Key)).ToList();
        long Live(KeyValuePair<string, long> p) => whole.Contains(p.Key) ? p.Value : Math.Min(p.Value, live[p.Key]);
        return result with
        {
            PacksReferenced = referenced.Count,
            PackBytes = referenced.Sum(p => p.Value),
            PackBytesLive = referenced.Sum(Live),
            PacksMostlyGarbage = referenced.Count(p => Live(p) * 2 < p.Value),
        };
    }

    /// <summary>Nonce and tag of a sealed pack entry.</summary>
    const int PackEntryOverhead = 28;

    static string? PackOf(string contentRef) => contentRef.Length == 129 && contentRef[64] == '.' ? BlobLayout.PackRefPrefix + contentRef[..64] : null;

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
