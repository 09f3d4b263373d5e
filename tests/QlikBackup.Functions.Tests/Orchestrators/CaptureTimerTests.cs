using QlikBackup.Functions.Tests.Support;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.Functions.Triggers;

namespace QlikBackup.Functions.Tests.Orchestrators;

public sealed class CaptureTimerTests
{
    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    sealed class FixedTenant : ITenantContext
    {
        public string TenantId => "timer-tests";
    }

    /// <summary>An alert channel that hangs until released, then fails: the Logic App timing out.</summary>
    sealed class HangingAlerts : IAlertSink
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task SendAsync(Alert alert, CancellationToken ct = default)
        {
            Entered.TrySetResult();
            await Release.Task;
            throw new HttpRequestException("Logic App timed out");
        }
    }

    [Fact]
    public async Task The_capture_is_scheduled_before_the_RPO_alert_and_an_undeliverable_alert_does_not_fail_the_timer()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var runs = new CaptureRunLog(new StorageTables(new TableServiceClient(azurite.ConnectionString), ""), new FixedTenant(), Options.Create(new RpoOptions()), clock);
        // The newest T1 run is three hours old: far past its 15-minute objective, so the check raises an alert.
        await runs.RecordAsync(new CaptureRun(Tier.T1, "old", clock.GetUtcNow().AddHours(-3), clock.GetUtcNow().AddHours(-3), 1, CaptureSummary.Empty));
        var alerts = new HangingAlerts();
        await using DurableTaskTestHost host = await TestHosts.StartAsync(registry =>
            registry.AddOrchestratorFunc<CaptureTierInput, string>(nameof(CaptureTierOrchestrator), (_, _) => Task.FromResult("ran")));
        var timers = new CaptureTimers(new RpoWatch(runs, alerts), Options.Create(new CaptureOptions()), clock, NullLogger<CaptureTimers>.Instance);

        Task firing = timers.StartAsync(Tier.T1, host.Client);
        await alerts.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // The RPO alert is in flight: the capture must already be scheduled.
        Assert.NotNull(await host.Client.GetInstanceAsync("capture-T1-20260301T1200"));
        alerts.Release.SetResult();
        await firing;
    }
}
