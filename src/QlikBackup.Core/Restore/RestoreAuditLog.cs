using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Restore;

public enum RestoreOutcomeKind { Succeeded, Failed, DryRun, NotExecuted }

/// <summary>One restore as the audit log keeps it.</summary>
public sealed record RestoreAuditEntry(
    string RestoreId,
    string TenantId,
    DateTimeOffset At,
    string Operator,
    RestoreScope Scope,
    RestoreTargetKind Target,
    string? TargetSpace,
    IReadOnlyList<string> Assets,
    IReadOnlyList<string> PointIds,
    string PlanSummary,
    int Actions,
    int ChecklistItems,
    RestoreOutcomeKind Outcome,
    string? Error,
    string? RestoredAssetId,
    TimeSpan Duration,
    string? OperatorNote = null);

/// <summary>
/// The restore audit: Table "{prefix}{Restore:AuditTable}" (PartitionKey tenant, RowKey inverted ticks + restore id,
/// newest first) and one append blob per day in <see cref="RestoreOptions.AuditContainer"/> ("{tenantHash}/{yyyy-MM-dd}.jsonl",
/// one JSON line per restore). Recording the same restore twice (a retried activity) writes neither twice.
/// </summary>
public sealed class RestoreAuditLog
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    readonly LazyTable _table;
    readonly BlobContainerClient _container;
    readonly AsyncOnce _createContainer;

    public RestoreAuditLog(StorageTables tables, BlobServiceClient blobs, IOptions<RestoreOptions> options)
    {
        _table = tables.Get(options.Value.AuditTable);
        _container = blobs.GetBlobContainerClient(options.Value.AuditContainer);
        _createContainer = new AsyncOnce(c => _container.CreateIfNotExistsAsync(cancellationToken: c));
    }

    /// <summary>The tenant's folder is the same hash the recovery points use: fixed length, path safe, one per tenant.</summary>
    static string DayBlob(string tenantId, DateOnly day) => $"{BlobLayout.TenantHash(tenantId)}/{day:yyyy-MM-dd}.jsonl";

    /// <summary>The entry of a plan and its result.</summary>
    /// <param name="fallbackAt">Time of the entry when the plan has none.</param>
    public static RestoreAuditEntry Entry(RestorePlan plan, RestoreResult? result, TimeSpan duration, string tenantId, DateTimeOffset fallbackAt)
    {
        var r = plan.Request;
        var outcome = r.DryRun ? RestoreOutcomeKind.DryRun
            : result is null ? RestoreOutcomeKind.NotExecuted
            : result.Succeeded ? RestoreOutcomeKind.Succeeded : RestoreOutcomeKind.Failed;
        return new RestoreAuditEntry(
            plan.RestoreId, tenantId, plan.CreatedAt ?? fallbackAt, r.Operator, r.Scope, r.Target,
            r.TargetSpaceId ?? r.TargetSpaceName,
            (plan.Targets ?? []).Select(t => $"{t.Kind} {t.AssetId}{(t.Name is null ? "" : $" '{t.Name}'")}").ToList(),
            plan.Points.Select(p => p.PointId).ToList(),
            plan.Summary, plan.Actions.Count, plan.ReconfigurationChecklist.Count + (result?.Checklist?.Count ?? 0),
            outcome, result?.Error, result?.RestoredAssetId, duration, r.OperatorNote);
    }

    public async Task RecordAsync(RestoreAuditEntry entry, CancellationToken ct = default)
    {
        var table = await _table.GetAsync(ct);
        await _createContainer.RunAsync(ct);
        string pk = TableKeys.Tenant(entry.TenantId);
        string rk = $"{RecoveryPointIds.InvertedTicks(entry.At)}-{TableKeys.Escape(entry.RestoreId)}";
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: ct);
        if (existing.HasValue && existing.Value!.GetBoolean("BlobAppended") == true) return;

        string line = JsonSerializer.Serialize(entry, Json);
        var row = new TableEntity(pk, rk)
        {
            ["RestoreId"] = entry.RestoreId,
            ["At"] = entry.At,
            ["Operator"] = entry.Operator,
            ["OperatorNote"] = entry.OperatorNote,
            ["Scope"] = entry.Scope.ToString(),
            ["Target"] = entry.Target.ToString(),
            ["TargetSpace"] = entry.TargetSpace,
            ["Assets"] = string.Join("\n", entry.Assets),
            ["PointIds"] = string.Join("\n", entry.PointIds),
            ["PlanSummary"] = entry.PlanSummary,
            ["Outcome"] = entry.Outcome.ToString(),
            ["Error"] = entry.Error is { Length: > 16000 } e ? e[..16000] : entry.Error,
            ["RestoredAssetId"] = entry.RestoredAssetId,
            ["DurationSeconds"] = entry.Duration.TotalSeconds,
            ["Entry"] = line.Length <= 30000 ? line : null,
            ["BlobAppended"] = false,
        };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);

        var blob = _container.GetAppendBlobClient(DayBlob(entry.TenantId, DateOnly.FromDateTime(entry.At.UtcDateTime)));
        await blob.CreateIfNotExistsAsync(cancellationToken: ct);
        using (var block = new MemoryStream(Encoding.UTF8.GetBytes(line + "\n")))
        {
            await blob.AppendBlockAsync(block, cancellationToken: ct);
        }
        await table.UpsertEntityAsync(new TableEntity(pk, rk) { ["BlobAppended"] = true }, TableUpdateMode.Merge, ct);
    }

    /// <summary>The tenant's newest audit entries, newest first.</summary>
    public async Task<IReadOnlyList<RestoreAuditEntry>> RecentAsync(string tenantId, int take, CancellationToken ct = default)
    {
        var table = await _table.GetAsync(ct);
        var list = new List<RestoreAuditEntry>();
        string pk = TableKeys.Tenant(tenantId);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == pk, maxPerPage: Math.Clamp(take, 1, 1000), cancellationToken: ct))
        {
            if (e.GetString("Entry") is { } json && JsonSerializer.Deserialize<RestoreAuditEntry>(json, Json) is { } entry) list.Add(entry);
            if (list.Count >= take) break;
        }
        return list;
    }

    /// <summary>The lines of one day's audit blob (for tests and exports).</summary>
    public async Task<IReadOnlyList<RestoreAuditEntry>> ReadDayAsync(string tenantId, DateOnly day, CancellationToken ct = default)
    {
        var blob = _container.GetAppendBlobClient(DayBlob(tenantId, day));
        try
        {
            var text = (await blob.DownloadContentAsync(ct)).Value.Content.ToString();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<RestoreAuditEntry>(l, Json)!).ToList();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
    }
}
