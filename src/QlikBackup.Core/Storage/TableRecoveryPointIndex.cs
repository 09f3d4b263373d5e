using Azure;
using Azure.Data.Tables;
using QlikBackup.Core.Assets;
using static QlikBackup.Core.Storage.RecoveryPointIds;

namespace QlikBackup.Core.Storage;

/// <summary>
/// <see cref="IRecoveryPointIndex"/> on Table storage, two tables (see docs/storage.md):
/// <list type="bullet">
/// <item><c>{prefix}RecoveryPoints</c>: PartitionKey tenant|kind|assetId, RowKey inverted capture ticks — an asset's newest
/// points are the first rows of one partition.</item>
/// <item><c>{prefix}RecoveryPointsBySpace</c>: PartitionKey tenant|spaceId, RowKey invertedTicks|kind|assetId — a space's points
/// in a date range are one RowKey range of one partition.</item>
/// </list>
/// Both hold the whole point, so neither query needs a second lookup.
/// </summary>
public sealed class TableRecoveryPointIndex : IRecoveryPointIndex
{
    public const string PointsTable = "RecoveryPoints";
    public const string BySpaceTable = "RecoveryPointsBySpace";
    /// <summary>The most points one query returns; <see cref="RecoveryPointPaging.QueryAllAsync"/> reads past it.</summary>
    public const int MaxTake = 1000;
    const int MaxErrorLength = 8000;

    readonly LazyTable pointsTable;
    readonly LazyTable bySpaceTable;

    public TableRecoveryPointIndex(StorageTables tables)
    {
        pointsTable = tables.Get(PointsTable);
        bySpaceTable = tables.Get(BySpaceTable);
    }

    public TableRecoveryPointIndex(TableServiceClient service, string tablePrefix = "")
        : this(new StorageTables(service, tablePrefix))
    {
    }

    public async Task AddAsync(RecoveryPoint point, CancellationToken ct = default)
    {
        BlobLayout.ValidateTenantId(point.TenantId);
        string expectedId = Create(point.Kind, point.AssetId, point.CapturedAt);
        if (point.PointId != expectedId)
        {
            throw new ArgumentException(
                $"Recovery point id '{point.PointId}' does not match its kind, asset and capture time; create it with RecoveryPointIds.Create (expected '{expectedId}').",
                nameof(point));
        }

        (TableClient points, TableClient bySpace) = (await pointsTable.GetAsync(ct), await bySpaceTable.GetAsync(ct));
        string rowKey = InvertedTicks(point.CapturedAt);
        // Upsert: an activity retried after a timeout writes the same point again, which must not fail.
        await points.UpsertEntityAsync(ToEntity(point, AssetPartition(point.TenantId, point.Kind, point.AssetId), rowKey), TableUpdateMode.Replace, ct);
        if (!string.IsNullOrEmpty(point.SpaceId))
        {
            await bySpace.UpsertEntityAsync(
                ToEntity(point, SpacePartition(point.TenantId, point.SpaceId), SpaceRowKey(rowKey, point.Kind, point.AssetId)), TableUpdateMode.Replace, ct);
        }
    }

    public async Task<RecoveryPoint?> GetAsync(string tenantId, string pointId, CancellationToken ct = default)
    {
        (string partition, string rowKey) = Keys(tenantId, pointId);
        TableClient points = await pointsTable.GetAsync(ct);
        NullableResponse<TableEntity> found = await points.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task<IReadOnlyList<RecoveryPoint>> GetNewestAsync(string tenantId, AssetKind kind, string assetId, int take = 10, CancellationToken ct = default)
    {
        BlobLayout.ValidateTenantId(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(assetId);
        TableClient points = await pointsTable.GetAsync(ct);
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {AssetPartition(tenantId, kind, assetId)}");
        return await TakeInOrderAsync(points, filter, null, Clamp(take), ct);
    }

    public async Task<IReadOnlyList<RecoveryPoint>> QueryAsync(string tenantId, RecoveryPointQuery query, CancellationToken ct = default)
    {
        BlobLayout.ValidateTenantId(tenantId);
        (TableClient points, TableClient bySpace) = (await pointsTable.GetAsync(ct), await bySpaceTable.GetAsync(ct));
        int take = Clamp(query.Take);
        string tenant = TableKeys.Escape(tenantId);
        Func<RecoveryPoint, bool>? nameFilter = string.IsNullOrEmpty(query.NameContains)
            ? null
            : p => p.Name?.Contains(query.NameContains, StringComparison.OrdinalIgnoreCase) == true;
        var conditions = new List<string>();
        if (query.From is { } from)
        {
            conditions.Add(TableClient.CreateQueryFilter($"RowKey lt {InvertedTicks(from) + AfterSeparator}"));
        }

        if (query.To is { } to)
        {
            conditions.Add(TableClient.CreateQueryFilter($"RowKey ge {InvertedTicks(to)}"));
        }

        if (!string.IsNullOrEmpty(query.OwnerId))
        {
            conditions.Add(TableClient.CreateQueryFilter($"OwnerId eq {query.OwnerId}"));
        }

        if (!string.IsNullOrEmpty(query.SpaceId))
        {
            // One partition, RowKey-ordered newest first: read only until Take matches are found.
            conditions.Add(TableClient.CreateQueryFilter($"PartitionKey eq {SpacePartition(tenantId, query.SpaceId)}"));
            if (query.Kind is { } kind)
            {
                conditions.Add(TableClient.CreateQueryFilter($"Kind eq {kind.ToString()}"));
            }

            if (!string.IsNullOrEmpty(query.AssetId))
            {
                conditions.Add(TableClient.CreateQueryFilter($"AssetId eq {query.AssetId}"));
            }

            return await TakeInOrderAsync(bySpace, And(conditions), nameFilter, take, ct);
        }

        if (!string.IsNullOrEmpty(query.AssetId))
        {
            // The asset's partition for one kind, or the (few) partitions of every kind when none is given.
            AssetKind[] kinds = query.Kind is { } kind ? [kind] : Enum.GetValues<AssetKind>();
            IReadOnlyList<RecoveryPoint>[] perKind = await Task.WhenAll(kinds.Select(k => TakeInOrderAsync(
                points,
                And([.. conditions, TableClient.CreateQueryFilter($"PartitionKey eq {AssetPartition(tenantId, k, query.AssetId)}")]),
                nameFilter,
                take,
                ct)));
            return NewestFirst(perKind.SelectMany(p => p), take);
        }

        // Tenant-wide (optionally one kind): a PartitionKey range scan over every asset of the tenant; results arrive in
        // partition order, so all matches are read before the newest are taken. The costly query: see docs/storage.md.
        string low = query.Kind is { } k2 ? $"{tenant}{Separator}{k2}{Separator}" : $"{tenant}{Separator}";
        string high = low[..^1] + AfterSeparator;
        conditions.Add(TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {high}"));
        var all = new List<RecoveryPoint>();
        await foreach (TableEntity entity in points.QueryAsync<TableEntity>(And(conditions), cancellationToken: ct))
        {
            RecoveryPoint point = FromEntity(entity);
            if (nameFilter is null || nameFilter(point))
            {
                all.Add(point);
            }
        }

        return NewestFirst(all, take);
    }

    public async Task DeleteAsync(string tenantId, string pointId, CancellationToken ct = default)
    {
        RecoveryPoint? point = await GetAsync(tenantId, pointId, ct);
        if (point is null)
        {
            return;
        }

        string rowKey = InvertedTicks(point.CapturedAt);
        (TableClient points, TableClient bySpace) = (await pointsTable.GetAsync(ct), await bySpaceTable.GetAsync(ct));
        // The space row first: if the second delete fails, the main row still says which space row to retry.
        if (!string.IsNullOrEmpty(point.SpaceId))
        {
            await DeleteIfExistsAsync(bySpace, SpacePartition(tenantId, point.SpaceId), SpaceRowKey(rowKey, point.Kind, point.AssetId), ct);
        }

        await DeleteIfExistsAsync(points, AssetPartition(tenantId, point.Kind, point.AssetId), rowKey, ct);
    }

    static async Task DeleteIfExistsAsync(TableClient table, string partition, string rowKey, CancellationToken ct)
    {
        try
        {
            await table.DeleteEntityAsync(partition, rowKey, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    static (string Partition, string RowKey) Keys(string tenantId, string pointId)
    {
        BlobLayout.ValidateTenantId(tenantId);
        if (!TryParse(pointId, out AssetKind kind, out string assetId, out DateTimeOffset capturedAt))
        {
            throw new ArgumentException($"'{pointId}' is not a recovery point id.", nameof(pointId));
        }

        return (AssetPartition(tenantId, kind, assetId), InvertedTicks(capturedAt));
    }

    static async Task<IReadOnlyList<RecoveryPoint>> TakeInOrderAsync(
        TableClient table, string filter, Func<RecoveryPoint, bool>? keep, int take, CancellationToken ct)
    {
        var result = new List<RecoveryPoint>(Math.Min(take, 100));
        await foreach (TableEntity entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(take, MaxTake), cancellationToken: ct))
        {
            RecoveryPoint point = FromEntity(entity);
            if (keep is null || keep(point))
            {
                result.Add(point);
                if (result.Count == take)
                {
                    break;
                }
            }
        }

        return result;
    }

    static IReadOnlyList<RecoveryPoint> NewestFirst(IEnumerable<RecoveryPoint> points, int take) =>
        points.OrderByDescending(p => p.CapturedAt).ThenBy(p => p.Kind).ThenBy(p => p.AssetId, StringComparer.Ordinal).Take(take).ToList();

    static string And(IEnumerable<string> conditions) => string.Join(" and ", conditions.Select(c => $"({c})"));

    static int Clamp(int take) => take < 1
        ? throw new ArgumentOutOfRangeException(nameof(take), take, "Take must be at least 1.")
        : Math.Min(take, MaxTake);

    static string AssetPartition(string tenantId, AssetKind kind, string assetId) =>
        $"{TableKeys.Escape(tenantId)}{Separator}{kind}{Separator}{TableKeys.Escape(assetId)}";

    static string SpacePartition(string tenantId, string spaceId) => $"{TableKeys.Escape(tenantId)}{Separator}{TableKeys.Escape(spaceId)}";

    static string SpaceRowKey(string invertedTicks, AssetKind kind, string assetId) =>
        $"{invertedTicks}{Separator}{kind}{Separator}{TableKeys.Escape(assetId)}";

    static TableEntity ToEntity(RecoveryPoint p, string partition, string rowKey) => new(partition, rowKey)
    {
        ["TenantId"] = p.TenantId,
        ["PointId"] = p.PointId,
        ["Kind"] = p.Kind.ToString(),
        ["AssetId"] = p.AssetId,
        ["Name"] = p.Name,
        ["SpaceId"] = p.SpaceId,
        ["SpaceName"] = p.SpaceName,
        ["OwnerId"] = p.OwnerId,
        ["Tier"] = (int)p.Tier,
        ["CapturedAt"] = p.CapturedAt,
        ["SourceModifiedAt"] = p.SourceModifiedAt,
        ["Status"] = p.Status.ToString(),
        ["ManifestRef"] = p.ManifestRef,
        ["Size"] = p.Size,
        ["NewBytes"] = p.NewBytes,
        ["ChangedBy"] = p.ChangedBy,
        ["ChangedAt"] = p.ChangedAt,
        ["ChangedFromClient"] = p.ChangedFromClient,
        ["RestoredAsId"] = p.RestoredAsId,
        ["PurgeAt"] = p.PurgeAt,
        // A Table string property holds at most 32K characters; an error message never needs that many.
        ["Error"] = p.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : p.Error,
    };

    static RecoveryPoint FromEntity(TableEntity e)
    {
        // The capture time comes from the RowKey, which keeps all 7 digits of ticks that the DateTime property may not.
        TryParseInvertedTicks(e.RowKey[..19], out DateTimeOffset capturedAt);
        var kind = Enum.Parse<AssetKind>(e.GetString("Kind"));
        string assetId = e.GetString("AssetId");
        return new RecoveryPoint
        {
            TenantId = e.GetString("TenantId"),
            PointId = Create(kind, assetId, capturedAt),
            Kind = kind,
            AssetId = assetId,
            Name = e.GetString("Name"),
            SpaceId = e.GetString("SpaceId"),
            SpaceName = e.GetString("SpaceName"),
            OwnerId = e.GetString("OwnerId"),
            Tier = (Tier)(e.GetInt32("Tier") ?? (int)Tier.T3),
            CapturedAt = capturedAt,
            SourceModifiedAt = e.GetDateTimeOffset("SourceModifiedAt"),
            Status = Enum.TryParse(e.GetString("Status"), out RecoveryPointStatus status) ? status : RecoveryPointStatus.Captured,
            ManifestRef = e.GetString("ManifestRef"),
            Size = e.GetInt64("Size") ?? 0,
            NewBytes = e.GetInt64("NewBytes") ?? 0,
            ChangedBy = e.GetString("ChangedBy"),
            ChangedAt = e.GetDateTimeOffset("ChangedAt"),
            ChangedFromClient = e.GetString("ChangedFromClient"),
            RestoredAsId = e.GetString("RestoredAsId"),
            PurgeAt = e.GetDateTimeOffset("PurgeAt"),
            Error = e.GetString("Error"),
        };
    }
}
