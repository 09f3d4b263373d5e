using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Table "{prefix}{Restore:ProgressTable}" of a restore's progress: PartitionKey = tenant|restore id, RowKey = escaped action id. A row is written when an action
/// that creates something starts (Started) and when any action completes (Done, with the old → new id it produced), so a
/// retried execution skips finished actions, reuses created ids, and can adopt what a crashed attempt created.
/// </summary>
public sealed class RestoreProgressStore
{
    readonly LazyTable _table;
    readonly ITenantContext _tenant;
    readonly TimeProvider _time;

    public RestoreProgressStore(StorageTables tables, ITenantContext tenant, IOptions<RestoreOptions> options, TimeProvider time)
    {
        _table = tables.Get(options.Value.ProgressTable);
        _tenant = tenant;
        _time = time;
    }

    string Partition(string restoreId) => TableKeys.Join(_tenant.TenantId, restoreId);

    public async Task<IReadOnlyDictionary<string, RestoreProgressRow>> LoadAsync(string restoreId, CancellationToken ct)
    {
        var table = await _table.GetAsync(ct);
        var rows = new Dictionary<string, RestoreProgressRow>(StringComparer.Ordinal);
        string pk = Partition(restoreId);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == pk, cancellationToken: ct))
        {
            var row = FromEntity(e);
            rows[row.ActionId] = row;
        }
        return rows;
    }

    /// <summary>Records that a creating action is about to call Qlik; keeps the first start time when called again.</summary>
    public async Task<RestoreProgressRow> MarkStartedAsync(string restoreId, string actionId, CancellationToken ct)
    {
        var table = await _table.GetAsync(ct);
        var row = new RestoreProgressRow(actionId, false, null, null, _time.GetUtcNow(), null);
        try
        {
            await table.AddEntityAsync(ToEntity(Partition(restoreId), row), ct);
            return row;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await table.GetEntityAsync<TableEntity>(Partition(restoreId), TableKeys.Escape(actionId), cancellationToken: ct);
            return FromEntity(existing.Value);
        }
    }

    public async Task MarkDoneAsync(string restoreId, string actionId, string? oldId, string? createdId, CancellationToken ct, string? note = null)
    {
        var table = await _table.GetAsync(ct);
        var row = new RestoreProgressRow(actionId, true, oldId, createdId, null, _time.GetUtcNow(), note);
        await table.UpsertEntityAsync(ToEntity(Partition(restoreId), row), TableUpdateMode.Merge, ct);
    }

    /// <summary>
    /// Records many actions as done at once (Engine writes saved together): one Table batch transaction per 100 rows, the most one
    /// transaction may hold (all rows of a restore share its partition). Upserts, so recording them again changes nothing.
    /// </summary>
    public async Task MarkDoneAsync(string restoreId, IReadOnlyList<(string ActionId, string? Note)> actions, CancellationToken ct)
    {
        if (actions.Count == 0) return;
        var table = await _table.GetAsync(ct);
        string partition = Partition(restoreId);
        DateTimeOffset now = _time.GetUtcNow();
        foreach (var chunk in actions.DistinctBy(a => a.ActionId).Chunk(MaxTransaction))
        {
            await table.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertMerge,
                ToEntity(partition, new RestoreProgressRow(a.ActionId, true, null, null, null, now, a.Note)))), ct);
        }
    }

    /// <summary>Azure Table storage's limit of operations in one batch transaction.</summary>
    const int MaxTransaction = 100;

    static TableEntity ToEntity(string partition, RestoreProgressRow row)
    {
        var e = new TableEntity(partition, TableKeys.Escape(row.ActionId))
        {
            ["ActionId"] = row.ActionId,
            ["Done"] = row.Done,
        };
        if (row.OldId is not null) e["OldId"] = row.OldId;
        if (row.CreatedId is not null) e["CreatedId"] = row.CreatedId;
        if (row.StartedAt is { } s) e["StartedAt"] = s;
        if (row.DoneAt is { } d) e["DoneAt"] = d;
        if (row.Note is not null) e["Note"] = row.Note;
        return e;
    }

    static RestoreProgressRow FromEntity(TableEntity e) => new(
        e.GetString("ActionId"), e.GetBoolean("Done") ?? false, e.GetString("OldId"), e.GetString("CreatedId"),
        e.GetDateTimeOffset("StartedAt"), e.GetDateTimeOffset("DoneAt"), e.GetString("Note"));
}

/// <summary>One action's progress. <see cref="OldId"/> → <see cref="CreatedId"/> is an entry of the restore's id map; <see cref="Note"/>: the manual
/// step the action left for the checklist.</summary>
public sealed record RestoreProgressRow(string ActionId, bool Done, string? OldId, string? CreatedId, DateTimeOffset? StartedAt, DateTimeOffset? DoneAt, string? Note = null);
