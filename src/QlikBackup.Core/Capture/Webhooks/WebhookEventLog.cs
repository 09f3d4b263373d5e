using Azure;
using Azure.Data.Tables;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture.Webhooks;

/// <summary>
/// Table "{prefix}WebhookEvents": PartitionKey tenant id, RowKey event id. Inserting an event id that is already there fails, which is
/// how a redelivered event is recognised (insert-if-absent, atomic in Table storage).
/// </summary>
public sealed class WebhookEventLog(StorageTables tables, ITenantContext tenant)
{
    public const string TableName = "WebhookEvents";

    readonly LazyTable table = tables.Get(TableName);

    /// <summary>Whether the event id was recorded (its capture was started) before.</summary>
    public async Task<bool> IsRecordedAsync(string eventId, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        return (await t.GetEntityIfExistsAsync<TableEntity>(TableKeys.Tenant(tenant.TenantId), RowKey(eventId), ["RowKey"], ct)).HasValue;
    }

    /// <summary>True when the event id was new (and is now recorded); false for a duplicate delivery.</summary>
    public async Task<bool> TryRecordAsync(string eventId, string eventType, DateTimeOffset eventTime, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        var entity = new TableEntity(TableKeys.Tenant(tenant.TenantId), RowKey(eventId))
        {
            ["EventId"] = eventId.Length > 1000 ? eventId[..1000] : eventId,
            ["EventType"] = eventType,
            ["EventTime"] = eventTime,
        };
        try
        {
            await t.AddEntityAsync(entity, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Forgets event ids recorded before <paramref name="olderThan"/>; events that old are refused by age anyway.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        string pk = TableKeys.Tenant(tenant.TenantId);
        int purged = 0;
        await foreach (TableEntity e in t.QueryAsync<TableEntity>(x => x.PartitionKey == pk && x.Timestamp < olderThan, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            await t.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, ct);
            purged++;
        }

        return purged;
    }

    /// <summary>Event ids are GUIDs in practice; anything a key cannot hold is escaped, and very long ids are hashed.</summary>
    static string RowKey(string eventId) => TableKeys.Escape(eventId);
}
