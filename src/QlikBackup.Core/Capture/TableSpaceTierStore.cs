using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Table "{prefix}SpaceTiers": PartitionKey = tenant, RowKey = escaped space id (<see cref="TableKeys"/>), columns SpaceId and
/// Tier ("T1".."T3").
/// </summary>
public sealed class TableSpaceTierStore : ISpaceTierStore
{
    public const string TableName = "SpaceTiers";
    const int MaxSpaceIdLength = 128;

    readonly LazyTable table;
    readonly ITenantContext tenant;
    readonly IOptions<CaptureOptions> options;

    public TableSpaceTierStore(StorageTables tables, ITenantContext tenant, IOptions<CaptureOptions> options)
    {
        table = tables.Get(TableName);
        this.tenant = tenant;
        this.options = options;
    }

    public Tier DefaultTier => options.Value.DefaultTier;

    public async Task<IReadOnlyDictionary<string, Tier>> GetAllAsync(CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        var result = new Dictionary<string, Tier>(StringComparer.Ordinal);
        string pk = Partition;
        await foreach (TableEntity e in t.QueryAsync<TableEntity>(x => x.PartitionKey == pk, select: ["RowKey", "SpaceId", "Tier"], cancellationToken: ct))
        {
            if (Parse(e) is { } tier) result[e.GetString("SpaceId") ?? e.RowKey] = tier;
        }

        return result;
    }

    public async Task<Tier> GetTierAsync(string spaceId, CancellationToken ct = default)
    {
        Validate(spaceId);
        TableClient t = await table.GetAsync(ct);
        NullableResponse<TableEntity> e = await t.GetEntityIfExistsAsync<TableEntity>(Partition, TableKeys.Escape(spaceId), ["Tier"], ct);
        return (e.HasValue ? Parse(e.Value!) : null) ?? DefaultTier;
    }

    public async Task SetAsync(string spaceId, Tier tier, CancellationToken ct = default)
    {
        Validate(spaceId);
        if (!Enum.IsDefined(tier)) throw new ArgumentOutOfRangeException(nameof(tier), tier, "Tier must be T1, T2 or T3.");
        TableClient t = await table.GetAsync(ct);
        await t.UpsertEntityAsync(new TableEntity(Partition, TableKeys.Escape(spaceId)) { ["SpaceId"] = spaceId, ["Tier"] = tier.ToString() }, TableUpdateMode.Replace, ct);
    }

    public async Task<bool> RemoveAsync(string spaceId, CancellationToken ct = default)
    {
        Validate(spaceId);
        TableClient t = await table.GetAsync(ct);
        // DeleteEntity succeeds on a missing row too, so ask first to answer "was there one".
        NullableResponse<TableEntity> existing = await t.GetEntityIfExistsAsync<TableEntity>(Partition, TableKeys.Escape(spaceId), ["RowKey"], ct);
        if (!existing.HasValue) return false;
        await t.DeleteEntityAsync(Partition, TableKeys.Escape(spaceId), ETag.All, ct);
        return true;
    }

    string Partition => TableKeys.Tenant(tenant.TenantId);

    static Tier? Parse(TableEntity e) => Enum.TryParse(e.GetString("Tier"), out Tier tier) && Enum.IsDefined(tier) ? tier : null;

    static void Validate(string spaceId)
    {
        // Keys are escaped anyway; what no Qlik space id can be is refused, so it never becomes a tier entry.
        if (string.IsNullOrWhiteSpace(spaceId) || spaceId.Length > MaxSpaceIdLength
            || spaceId.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c))) throw new InvalidSpaceIdException(spaceId);
    }
}
