using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Assets;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit.Abstractions;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// A host that dies mid-capture: its storage connections are cut (to the task hub a dead host is one that stops talking
/// to storage, exactly as after kill -9), and a new host on the same task hub finishes the run. The time from the new
/// host's start to the run's completion is the crash-recovery time; it is written to the test output.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_tier_run_interrupted_by_a_dead_host_is_finished_by_the_next_host()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using QlikSimulatorHost tenant = await QlikSimulatorHost.StartAsync(new SimulatorOptions
        {
            Seed = DemoTenantSpec.Demo with { AppsPerSpace = 1, PersonalApps = 0 }, SaveOnStop = false,
        });
        await using var proxy = await StorageProxy.StartAsync(azurite.ConnectionString);
        Dictionary<string, string?> settings = LocalSettings.For(proxy.ConnectionString, tenant);
        settings["DurableTaskHubName"] = "CrashRecovery";

        // Slow Qlik: the run is still capturing when the first host dies.
        tenant.Faults.Latency = TimeSpan.FromSeconds(1);
        LocalBackupHost first = await LocalBackupHost.StartAsync(settings);
        string id = await first.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T3));
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await WaitForSpaceRunsAsync(first.Client, id, guard.Token);

        proxy.Cut();
        tenant.Faults.Latency = TimeSpan.Zero;
        var recovery = Stopwatch.StartNew();
        settings["Storage:ConnectionString"] = azurite.ConnectionString;
        await using LocalBackupHost second = await LocalBackupHost.StartAsync(settings);
        OrchestrationMetadata done = await second.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, guard.Token);
        recovery.Stop();

        output.WriteLine($"Crash recovery: the interrupted T3 run completed {recovery.Elapsed.TotalSeconds:F1} s after the new host started.");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "crash-recovery-seconds.txt"), recovery.Elapsed.TotalSeconds.ToString("F1"));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        CaptureRunResult run = done.ReadOutputAs<CaptureRunResult>()!;
        Assert.Null(run.Error);
        Assert.Equal(0, run.Summary.Failed);
        Assert.True(run.Summary.Captured > 0);
        // The dead host is not disposed: it cannot reach storage and would only wait for it.
        _ = first;
    }

    /// <summary>Until the tier run has fanned out to its spaces: the capture is under way.</summary>
    static async Task WaitForSpaceRunsAsync(DurableTaskClient client, string id, CancellationToken ct)
    {
        while (true)
        {
            await foreach (OrchestrationMetadata sub in client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = id + ":" }).WithCancellation(ct))
            {
                if (sub.RuntimeStatus == OrchestrationRuntimeStatus.Running) return;
            }

            await Task.Delay(200, ct);
        }
    }

    /// <summary>TCP forwarders in front of Azurite's three ports that can be cut at once, like a process dying.</summary>
    sealed class StorageProxy : IAsyncDisposable
    {
        readonly List<(TcpListener Listener, int Target)> listeners = [];
        readonly List<TcpClient> connections = [];
        readonly CancellationTokenSource cut = new();

        public string ConnectionString { get; private set; } = "";

        public static Task<StorageProxy> StartAsync(string azurite)
        {
            var proxy = new StorageProxy();
            proxy.ConnectionString = Regex.Replace(azurite, @"http://127\.0\.0\.1:(\d+)/", m =>
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                proxy.listeners.Add((listener, int.Parse(m.Groups[1].Value)));
                _ = proxy.AcceptAsync(listener, int.Parse(m.Groups[1].Value));
                return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
            });
            return Task.FromResult(proxy);
        }

        async Task AcceptAsync(TcpListener listener, int target)
        {
            try
            {
                while (!cut.IsCancellationRequested)
                {
                    TcpClient inbound = await listener.AcceptTcpClientAsync(cut.Token);
                    var outbound = new TcpClient();
                    await outbound.ConnectAsync(IPAddress.Loopback, target, cut.Token);
                    lock (connections) connections.AddRange([inbound, outbound]);
                    _ = PumpAsync(inbound, outbound);
                    _ = PumpAsync(outbound, inbound);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        async Task PumpAsync(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream(), cut.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                from.Close();
                to.Close();
            }
        }

        public void Cut()
        {
            cut.Cancel();
            foreach ((TcpListener listener, _) in listeners) listener.Stop();
            lock (connections) foreach (TcpClient c in connections) c.Close();
        }

        public ValueTask DisposeAsync()
        {
            if (!cut.IsCancellationRequested) Cut();
            return ValueTask.CompletedTask;
        }
    }
}
