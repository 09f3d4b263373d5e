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
/// The restore audit: Table <see cref="RestoreOptions.AuditTable"/> (PartitionKey tenant, RowKey inverted ticks + restore id,
/// newest first) and one append blob per day in <see cref="RestoreOptions.AuditContainer"/> ("{tenant}/{yyyy-MM-dd}.jsonl",
/// one JSON line per restore). Recording the same restore twice (a retried activity) writes neither twice.
/// </summary>
public sealed class RestoreAuditLog
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    readonly TableClient _table;
    readonly BlobContainerClient _container;
    readonly AsyncOnce _create;

    public RestoreAuditLog(TableServiceClient tables, BlobServiceClient blobs, IOptions<RestoreOptions> options)
    {
        _table = tables.GetTableClient(options.Value.AuditTable);
        _container = blobs.GetBlobContainerClient(options.Value.AuditContainer);
        _create = new AsyncOnce(async c =>
        {
            await _table.CreateIfNotExistsAsync(c);
            await _container.CreateIfNotExistsAsync(cancellationToken: c);
        });
    }

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
            plan.Summary, plan.Actions.Count, plan.ReconfigurationChecklist.Count,
            outcome, result?.Error, result?.RestoredAssetId, duration, r.OperatorNote);
    }

    public async Task RecordAsync(RestoreAuditEntry entry, CancellationToken ct = default)
    {
        await _create.RunAsync(ct);
        string pk = RecoveryPointIds.EscapeKey(entry.TenantId);
        string rk = $"{RecoveryPointIds.InvertedTicks(entry.At)}-{entry.RestoreId}";
        var existing = await _table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: ct);
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
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);

        var blob = _container.GetAppendBlobClient($"{entry.TenantId}/{entry.At.UtcDateTime:yyyy-MM-dd}.jsonl");
        await blob.CreateIfNotExistsAsync(cancellationToken: ct);
        using (var block = new MemoryStream(Encoding.UTF8.GetBytes(line + "\n")))
        {
            await blob.AppendBlockAsync(block, cancellationToken: ct);
        }
        await _table.UpsertEntityAsync(new TableEntity(pk, rk) { ["BlobAppended"] = true }, TableUpdateMode.Merge, ct);
    }

    /// <summary>The tenant's newest audit entries, newest first.</summary>
    public async Task<IReadOnlyList<RestoreAuditEntry>> RecentAsync(string tenantId, int take, CancellationToken ct = default)
    {
        await _create.RunAsync(ct);
        var list = new List<RestoreAuditEntry>();
        string pk = RecoveryPointIds.EscapeKey(tenantId);
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == pk, maxPerPage: Math.Clamp(take, 1, 1000), cancellationToken: ct))
        {
            if (e.GetString("Entry") is { } json && JsonSerializer.Deserialize<RestoreAuditEntry>(json, Json) is { } entry) list.Add(entry);
            if (list.Count >= take) break;
        }
        return list;
    }

    /// <summary>The lines of one day's audit blob (for tests and exports).</summary>
    public async Task<IReadOnlyList<RestoreAuditEntry>> ReadDayAsync(string tenantId, DateOnly day, CancellationToken ct = default)
    {
        var blob = _container.GetAppendBlobClient($"{tenantId}/{day:yyyy-MM-dd}.jsonl");
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
