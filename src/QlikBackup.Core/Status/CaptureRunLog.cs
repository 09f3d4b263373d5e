using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;

namespace QlikBackup.Core.Status;

/// <summary>
/// Table "CaptureRuns": PartitionKey = tier, RowKey = inverted finish ticks, so the newest runs of a tier are
/// the first rows of one partition.
/// </summary>
public sealed class CaptureRunLog(TableServiceClient tables, IOptions<RpoOptions> rpo, TimeProvider clock)
{
    const string TableName = "CaptureRuns";

    public async Task RecordAsync(CaptureRun run, CancellationToken ct = default)
    {
        TableClient table = await TableAsync(ct);
        var entity = new TableEntity(run.Tier.ToString(), InvertedTicks(run.FinishedAt))
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
            ["Error"] = run.Error is { Length: > 8000 } e ? e[..8000] : run.Error,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<CaptureRun>> RecentAsync(Tier tier, int take, CancellationToken ct = default)
    {
        TableClient table = await TableAsync(ct);
        var runs = new List<CaptureRun>();
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(x => x.PartitionKey == tier.ToString(), maxPerPage: take, cancellationToken: ct))
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

    static string InvertedTicks(DateTimeOffset at) => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19");

    async Task<TableClient> TableAsync(CancellationToken ct)
    {
        TableClient table = tables.GetTableClient(TableName);
        try
        {
            await table.CreateIfNotExistsAsync(ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created concurrently by another run.
        }

        return table;
    }
}
