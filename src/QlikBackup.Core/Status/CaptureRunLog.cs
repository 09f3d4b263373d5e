using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Status;

/// <summary>
/// Table "{prefix}CaptureRuns": PartitionKey = tenant|tier, RowKey = inverted finish ticks, so the newest runs of a tier are
/// the first rows of one partition, and deployments sharing an account never see each other's runs.
/// </summary>
public sealed class CaptureRunLog(StorageTables tables, ITenantContext tenant, IOptions<RpoOptions> rpo, TimeProvider clock)
{
    public const string TableName = "CaptureRuns";
    const int MaxErrorLength = 8000;

    readonly LazyTable table = tables.Get(TableName);

    public async Task RecordAsync(CaptureRun run, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        var entity = new TableEntity(Partition(run.Tier), RecoveryPointIds.InvertedTicks(run.FinishedAt))
        {
            ["RunId"] = run.RunId,
            ["StartedAt"] = run.StartedAt,
            ["FinishedAt"] = run.FinishedAt,
            ["Spaces"] = run.Spaces,
            ["Captured"] = run.Summary.Captured,
            ["Unchanged"] = run.Summary.Unchanged,
            ["Deleted"] = run.Summary.Deleted,
            ["Failed"] = run.Summary.Failed,
            ["Bytes"] = run.Summary.Bytes,
            ["NewBytes"] = run.Summary.NewBytes,
            // A Table string holds 32K characters; the full error is in the orchestration's output.
            ["Error"] = run.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : run.Error,
        };
        await t.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<CaptureRun>> RecentAsync(Tier tier, int take, CancellationToken ct = default)
    {
        TableClient t = await table.GetAsync(ct);
        var runs = new List<CaptureRun>();
        string pk = Partition(tier);
        await foreach (TableEntity e in t.QueryAsync<TableEntity>(x => x.PartitionKey == pk, maxPerPage: take, cancellationToken: ct))
        {
            runs.Add(new CaptureRun(
                tier,
                e.GetString("RunId"),
                e.GetDateTimeOffset("StartedAt") ?? default,
                e.GetDateTimeOffset("FinishedAt") ?? default,
                e.GetInt32("Spaces") ?? 0,
                new CaptureSummary(
                    e.GetInt32("Captured") ?? 0, e.GetInt32("Unchanged") ?? 0, e.GetInt32("Deleted") ?? 0,
                    e.GetInt32("Failed") ?? 0, e.GetInt64("Bytes") ?? 0, e.GetInt64("NewBytes") ?? 0),
                e.GetString("Error")));
            if (runs.Count >= take)
            {
                break;
            }
        }

        return runs;
    }

    /// <summary>A tier breaches its RPO when its newest clean run finished longer ago than the objective.</summary>
    public async Task<TierStatus> StatusAsync(Tier tier, CancellationToken ct = default)
    {
        IReadOnlyList<CaptureRun> runs = await RecentAsync(tier, 50, ct);
        CaptureRun? clean = runs.FirstOrDefault(r => r.Clean);
        TimeSpan objective = rpo.Value.For(tier);
        TimeSpan? age = clean is null ? null : clock.GetUtcNow() - clean.FinishedAt;
        return new TierStatus(tier, objective, runs.FirstOrDefault(), clean, age is null || age > objective, age);
    }

    string Partition(Tier tier) => TableKeys.Join(tenant.TenantId, tier.ToString());
}
