using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Drill;

/// <summary>
/// A failed drill alerts every time; an RTO breach alerts once when it opens and once when a later drill of the tier is
/// within its objective again. The open breach is a row of the drill table (PartitionKey "{tenant}|rto", RowKey tier),
/// written only after its alert went out, so an undelivered alert is tried again by the next drill.
/// </summary>
public sealed class DrillAlerts(
    IAlertSink sink, StorageTables tables, IOptions<DrillOptions> options, ITenantContext tenant, ILogger<DrillAlerts> logger)
{
    readonly LazyTable _reports = tables.Get(options.Value.ReportsTable);

    public async Task RaiseAsync(DrillReport report, CancellationToken ct = default)
    {
        // A whole-tenant drill has its own objective (Rto:Tenant), so its breaches open and close apart from the tiers'.
        string objective = report.Request.Scope == DrillScope.Tenant ? "Tenant" : report.Tier.ToString();
        if (!report.Passed)
        {
            // What the clean-up left behind comes first: it blocks the next drill (a standby not emptied is refused) and costs until removed.
            var problems = report.Cleanup.LeftBehind.Take(5).Select(l => $"left behind {l}")
                .Concat(report.Cleanup.LeftBehind.Count > 5 ? [$"and {report.Cleanup.LeftBehind.Count - 5} more left behind (see the report)"] : [])
                .Concat(report.Assets.Where(a => a.Result != DrillAssetResult.Equal)
                    .Select(a => $"{a.Asset.Kind} '{a.Asset.Name}': {a.Error ?? string.Join("; ", (a.Fidelity?.Differences ?? []).Take(3).Select(d => $"{d.Object} / {d.Attribute}"))}"))
                .Concat(report.Error is null ? [] : [report.Error]);
            await SendAsync(new Alert(AlertKind.DrillFailed, $"{objective} drill failed", $"{report.Headline}; {report.Cleanup.Summary}. {string.Join(" | ", problems.Take(12))}", report.DrillId), ct);
        }

        TableClient table = await _reports.GetAsync(ct);
        string pk = RecoveryPointIds.EscapeKey(tenant.TenantId) + "|rto", rk = objective;
        bool open = (await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: ct)).HasValue;
        if (report.RtoBreached && !open)
        {
            if (await SendAsync(new Alert(AlertKind.RtoBreached, $"{objective} RTO breached",
                    $"Drill {report.DrillId} recovered in {report.Rto}; the {objective} objective is {report.RtoObjective}.", report.DrillId), ct))
                await table.UpsertEntityAsync(new TableEntity(pk, rk) { ["DrillId"] = report.DrillId, ["Rto"] = report.Rto.ToString() }, cancellationToken: ct);
        }
        else if (!report.RtoBreached && open && report.Assets.Count > 0)
        {
            if (await SendAsync(new Alert(AlertKind.RtoResolved, $"{objective} RTO met again",
                    $"Drill {report.DrillId} recovered in {report.Rto}, within the {objective} objective {report.RtoObjective}.", report.DrillId), ct))
            {
                try { await table.DeleteEntityAsync(pk, rk, ETag.All, ct); }
                catch (RequestFailedException ex) when (ex.Status == 404) { }
            }
        }
    }

    /// <summary>A clean-up run again that left anything behind alerts as a failed drill does, naming what is still in the standby.</summary>
    public async Task RaiseAsync(DrillCleanUpRun run, CancellationToken ct = default)
    {
        if (run.Passed) return;
        var left = run.Cleanup.LeftBehind;
        var problems = left.Take(5).Select(l => $"left behind {l}").Concat(left.Count > 5 ? [$"and {left.Count - 5} more left behind (see the drill)"] : []);
        await SendAsync(new Alert(AlertKind.DrillFailed, "Tenant drill clean-up left things behind",
            $"Clean-up {run.OperationId} of drill {run.DrillId}: {run.Cleanup.Summary}. {string.Join(" | ", problems)}", run.DrillId), ct);
    }

    /// <summary>An alert that cannot be delivered is logged and does not fail the drill's record.</summary>
    async Task<bool> SendAsync(Alert alert, CancellationToken ct)
    {
        try
        {
            await sink.SendAsync(alert, ct);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Alert {Kind} could not be delivered", alert.Kind);
            return false;
        }
    }
}
