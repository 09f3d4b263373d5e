using Azure;
using Azure.Data.Tables;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>The newest change event of an asset among the events a run read: who, when, from which client.</summary>
internal sealed record RunAttribution(string? UserId, DateTimeOffset At, string? Client);

/// <summary>
/// Where a run's single audit read is kept. Table "{prefix}AuditCursors": PartitionKey = tenant, RowKey = tier, column
/// NewestEventAt (the newest audit event a finished run of the tier read). Table "{prefix}RunAttributions": PartitionKey =
/// tenant|runId, RowKey = escaped asset id, columns UserId, At, Client (the asset's newest change event in the run's read);
/// the rows of a run are deleted when it ends.
/// </summary>
internal sealed class RunAuditStore(StorageTables tables)
{
    public const string CursorTable = "AuditCursors";
    public const string AttributionTable = "RunAttributions";

    /// <summary>Entity group transactions take at most 100 operations.</summary>
    const int BatchSize = 100;

    readonly LazyTable cursors = tables.Get(CursorTable);
    readonly LazyTable attributions = tables.Get(AttributionTable);

    public async Task<DateTimeOffset?> GetCursorAsync(string tenantId, Tier tier, CancellationToken ct)
    {
        TableClient t = await cursors.GetAsync(ct);
        NullableResponse<TableEntity> e = await t.GetEntityIfExistsAsync<TableEntity>(TableKeys.Tenant(tenantId), tier.ToString(), ["NewestEventAt"], ct);
        return e.HasValue ? e.Value!.GetDateTimeOffset("NewestEventAt") : null;
    }

    /// <summary>Moves the cursor forward only: a run that read less than a later one never moves it back.</summary>
    public async Task AdvanceCursorAsync(string tenantId, Tier tier, DateTimeOffset newestEventAt, CancellationToken ct)
    {
        TableClient t = await cursors.GetAsync(ct);
        string pk = TableKeys.Tenant(tenantId), rk = tier.ToString();
        for (int attempt = 1; ; attempt++)
        {
            NullableResponse<TableEntity> existing = await t.GetEntityIfExistsAsync<TableEntity>(pk, rk, ["NewestEventAt"], ct);
            if (existing.HasValue && existing.Value!.GetDateTimeOffset("NewestEventAt") is { } current && current >= newestEventAt) return;
            var row = new TableEntity(pk, rk) { ["NewestEventAt"] = newestEventAt };
            try
            {
                if (existing.HasValue) await t.UpdateEntityAsync(row, existing.Value!.ETag, TableUpdateMode.Replace, ct);
                else await t.AddEntityAsync(row, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another run of the tier moved it at the same moment: read again and keep the newer.
            }
        }
    }

    public async Task WriteAsync(string tenantId, string runId, IReadOnlyDictionary<string, RunAttribution> newest, CancellationToken ct)
    {
        TableClient t = await attributions.GetAsync(ct);
        string pk = Partition(tenantId, runId);
        foreach (KeyValuePair<string, RunAttribution>[] chunk in newest.Chunk(BatchSize))
        {
            await t.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(pk, TableKeys.Escape(a.Key))
                {
                    ["AssetId"] = a.Key, ["UserId"] = a.Value.UserId, ["At"] = a.Value.At, ["Client"] = a.Value.Client,
                })), ct);
        }
    }

    public async Task<IReadOnlyDictionary<string, RunAttribution>> ReadAsync(string tenantId, string runId, CancellationToken ct)
    {
        TableClient t = await attributions.GetAsync(ct);
        string pk = Partition(tenantId, runId);
        var result = new Dictionary<string, RunAttribution>(StringComparer.Ordinal);
        await foreach (TableEntity e in t.QueryAsync<TableEntity>(x => x.PartitionKey == pk, cancellationToken: ct))
        {
            if (e.GetString("AssetId") is { } id && e.GetDateTimeOffset("At") is { } at)
                result[id] = new RunAttribution(e.GetString("UserId"), at, e.GetString("Client"));
        }

        return result;
    }

    public async Task DeleteAsync(string tenantId, string runId, CancellationToken ct)
    {
        TableClient t = await attributions.GetAsync(ct);
        string pk = Partition(tenantId, runId);
        var keys = new List<string>();
        await foreach (TableEntity e in t.QueryAsync<TableEntity>(x => x.PartitionKey == pk, select: ["RowKey"], cancellationToken: ct)) keys.Add(e.RowKey);
        foreach (string[] chunk in keys.Chunk(BatchSize))
        {
            await t.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, k), ETag.All)), ct);
        }
    }

    static string Partition(string tenantId, string runId) => TableKeys.Join(tenantId, runId);
}
