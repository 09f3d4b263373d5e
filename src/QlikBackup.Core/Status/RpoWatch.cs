using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Status;

/// <summary>Raises an RPO-breach alert when a tier's newest clean run is older than its objective.</summary>
public sealed class RpoWatch(CaptureRunLog runs, IAlertSink alerts)
{
    public async Task<TierStatus> CheckAsync(Tier tier, CancellationToken ct = default)
    {
        TierStatus status = await runs.StatusAsync(tier, ct);
        // A tier that never ran is not yet a breach: the first run is about to start.
        if (status.RpoBreached && status.LastRun is not null)
        {
            await alerts.SendAsync(new Alert(
                AlertKind.RpoBreached,
                $"{tier} RPO breached",
                status.LastCleanRun is null
                    ? $"No {tier} run has finished without failures; objective {status.Objective}."
                    : $"Newest clean {tier} run finished {status.Age:g} ago; objective {status.Objective}."),
                ct);
        }

        return status;
    }
}
