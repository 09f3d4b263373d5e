using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.Qlik.Simulator;
using Xunit.Abstractions;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// Storage goes away mid-run: Azurite is stopped while a tier run is capturing and started again on the same data (behind
/// the same address). The run must still end, every asset captured or its failure recorded as a Failed point, every
/// stored point must verify, and the next run must capture without a failure. The fault suite's storage faults are
/// single requests; this is the whole service disappearing under the Durable task hub and the capture at once.
/// </summary>
public sealed class AzuriteRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_tier_run_survives_Azurite_restarting_mid_run_and_loses_no_point()
    {
        string data = Path.Combine(Path.GetTempPath(), "qlikbackup-restart-" + Guid.NewGuid().ToString("N"));
        AzuriteServer azurite = await AzuriteServer.StartAsync(data);
        try
        {
            await using QlikSimulatorHost tenant = await CrashRecoveryTests.SmallTenantAsync();
            await using var proxy = StorageProxy.Start(azurite.ConnectionString);
            await using LocalBackupHost host = await LocalBackupHost.StartAsync(CrashRecoveryTests.Settings(proxy, tenant, "AzuriteRestart"));
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));

            // Slow Qlik: the run is still capturing when storage goes away.
            tenant.Faults.Latency = TimeSpan.FromSeconds(1);
            string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T3));
            await CrashRecoveryTests.WaitForSpaceRunsAsync(host.Client, id, guard.Token);

            // SIGTERM, as a service restart does: Azurite saves its tables, then comes back on the same folder.
            await azurite.DisposeAsync();
            azurite = await AzuriteServer.StartAsync(data);
            proxy.Retarget(azurite.ConnectionString);
            tenant.Faults.Latency = TimeSpan.Zero;

            OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, guard.Token);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
            CaptureRunResult run = done.ReadOutputAs<CaptureRunResult>()!;
            output.WriteLine($"Run across the restart: {run.Summary} {run.Error}");
            Assert.Null(run.Error);
            Assert.True(run.Summary.Captured + run.Summary.Failed > 0);

            // Every asset the run listed was captured, or its failure was recorded as a Failed point (the run's failures say
            // which); nothing was silently skipped.
            foreach (SpaceCaptureResult space in run.Spaces)
            {
                Assert.Null(space.Error);
                Assert.Equal(space.Assets, space.Summary.Captured + space.Summary.Unchanged + space.Summary.Failed);
                foreach (CaptureFailure failure in space.Failures)
                {
                    IReadOnlyList<RecoveryPoint> points = await host.Services.GetRequiredService<IRecoveryPointIndex>()
                        .GetNewestAsync("demo-tenant", failure.Asset.Kind, failure.Asset.Id, 1, guard.Token);
                    Assert.Equal(RecoveryPointStatus.Failed, Assert.Single(points).Status);
                }
            }

            VerifyReport verified = await host.Services.GetRequiredService<VerifyService>().VerifyAsync(new VerifyRequest(All: true), guard.Token);
            Assert.True(verified.Ok, string.Join("\n", verified.Problems.Select(p => $"{p.PointId} {p.Part}: {p.Problem} {p.Detail}").Concat(verified.Errors)));
            Assert.True(verified.Points > 0);

            // Storage is back for good: the next run captures whatever the interrupted one could not, without a failure.
            string next = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T3));
            CaptureRunResult after = (await host.Client.WaitForInstanceCompletionAsync(next, getInputsAndOutputs: true, guard.Token)).ReadOutputAs<CaptureRunResult>()!;
            Assert.Null(after.Error);
            Assert.Equal(0, after.Summary.Failed);
        }
        finally
        {
            // Last, after the host has stopped: a host stopping without storage waits for it.
            await azurite.DisposeAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
