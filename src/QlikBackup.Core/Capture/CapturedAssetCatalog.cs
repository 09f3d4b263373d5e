using Azure;
using Azure.Data.Tables;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>One asset that has recovery points, as the catalog remembers it.</summary>
/// <summary>The catalog row as a concurrency token: the newest point id it names and its ETag.</summary>
public sealed record CatalogHead(string? PointId, ETag ETag);

/// <param name="Moved">The asset left this space (it still exists in Qlik); the deleted check skips it here.</param>
public sealed record CapturedAsset(AssetKind Kind, string AssetId, string SpaceId, string? Name, Tier Tier, RecoveryPointStatus LastStatus, bool Moved = false);

/// <summary>
/// Table "{prefix}CapturedAssets": one row per (space, asset) that has recovery points — PartitionKey tenant|spaceId,
/// RowKey kind|assetId, naming the asset's newest point there. Written before every point (not on Unchanged), so the deleted-asset check reads one small
/// partition per space and retention finds every asset that has points. Rows are never removed: retention's mark phase
/// relies on them to reach every point.
/// </summary>
public sealed class CapturedAssetCatalog
{
    public const string TableName = "CapturedAssets";
    const char Sep = '|';

    readonly LazyTable table;

    public CapturedAssetCatalog(StorageTables tables) => table = tables.Get(TableName);

    /// <summary>The row's newest point id and ETag, for a conditional write; null when the asset has no row in the space.</summary>
    public async Task<CatalogHead?> GetHeadAsync(string tenantId, string spaceId, AssetKind kind, string assetId, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        NullableResponse<TableEntity> row = await t.GetEntityIfExistsAsync<TableEntity>(Partition(tenantId, spaceId), Row(kind, assetId), ["PointId"], ct);
        return row.HasValue ? new CatalogHead(row.Value!.GetString("PointId"), row.Value.ETag) : null;
    }

    /// <summary>
    /// Writes the row for a new point only if it is unchanged since <paramref name="head"/> was read (absent when null):
    /// false means another capture of the asset wrote in between.
    /// </summary>
    public async Task<bool> TryWriteAsync(string tenantId, CapturedAsset asset, string pointId, CatalogHead? head, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        TableEntity entity = ToEntity(tenantId, asset, pointId);
        try
        {
            if (head is null) await t.AddEntityAsync(entity, ct);
            else await t.UpdateEntityAsync(entity, head.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    static TableEntity ToEntity(string tenantId, CapturedAsset asset, string pointId)
        => new(Partition(tenantId, asset.SpaceId), Row(asset.Kind, asset.AssetId))
        {
            ["TenantId"] = tenantId,
            ["Kind"] = asset.Kind.ToString(),
            ["AssetId"] = asset.AssetId,
            ["SpaceId"] = asset.SpaceId,
            ["Name"] = asset.Name,
            ["Tier"] = asset.Tier.ToString(),
            ["LastStatus"] = asset.LastStatus.ToString(),
            ["Moved"] = asset.Moved,
            ["PointId"] = pointId,
        };

    /// <summary>Notes that the asset is no longer in this space (its next point is filed under its new space).</summary>
    public async Task MarkMovedAsync(string tenantId, string spaceId, AssetKind kind, string assetId, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        await t.UpsertEntityAsync(new TableEntity(Partition(tenantId, spaceId), Row(kind, assetId)) { ["Moved"] = true }, TableUpdateMode.Merge, ct);
    }

    public async Task<IReadOnlyList<CapturedAsset>> ListSpaceAsync(string tenantId, string spaceId, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        string pk = Partition(tenantId, spaceId);
        return await ReadAsync(t.QueryAsync<TableEntity>(e => e.PartitionKey == pk, cancellationToken: ct));
    }

    /// <summary>Every asset of the tenant (all spaces). An asset that moved between spaces appears once per space.</summary>
    public async Task<IReadOnlyList<CapturedAsset>> ListTenantAsync(string tenantId, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        string low = TableKeys.Escape(tenantId) + Sep;
        string high = TableKeys.Escape(tenantId) + '}';
        return await ReadAsync(t.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {high}"), cancellationToken: ct));
    }

    static async Task<IReadOnlyList<CapturedAsset>> ReadAsync(AsyncPageable<TableEntity> rows)
    {
        var result = new List<CapturedAsset>();
        await foreach (TableEntity e in rows)
        {
            if (!Enum.TryParse(e.GetString("Kind"), out AssetKind kind)) continue;
            result.Add(new CapturedAsset(
                kind,
                e.GetString("AssetId"),
                e.GetString("SpaceId"),
                e.GetString("Name"),
                Enum.TryParse(e.GetString("Tier"), out Tier tier) ? tier : Tier.T3,
                Enum.TryParse(e.GetString("LastStatus"), out RecoveryPointStatus status) ? status : RecoveryPointStatus.Captured,
                e.GetBoolean("Moved") ?? false));
        }

        return result;
    }

    static string Partition(string tenantId, string spaceId) => $"{TableKeys.Escape(tenantId)}{Sep}{TableKeys.Escape(spaceId)}";

    static string Row(AssetKind kind, string assetId) => $"{kind}{Sep}{TableKeys.Escape(assetId)}";
}
