using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// TCP forwarders in front of Azurite's three ports, so a test can take storage away from a host. <see cref="Cut"/>: the
/// host dies (to storage a dead host is one that stops talking, exactly as after kill -9). <see cref="Retarget"/>: Azurite
/// restarts behind the same address (open connections drop, new ones reach the new process).
/// </summary>
sealed partial class StorageProxy : IAsyncDisposable
{
    readonly List<TcpListener> listeners = [];
    readonly int[] targets;
    readonly List<TcpClient> connections = [];
    readonly CancellationTokenSource cut = new();

    StorageProxy(int count) => targets = new int[count];

    /// <summary>The connection string a host uses to reach storage through the proxy.</summary>
    public string ConnectionString { get; private set; } = "";

    public static StorageProxy Start(string azurite)
    {
        int[] ports = Ports(azurite);
        var proxy = new StorageProxy(ports.Length);
        int next = 0;
        proxy.ConnectionString = Endpoint().Replace(azurite, m =>
        {
            int index = next++;
            proxy.targets[index] = ports[index];
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            proxy.listeners.Add(listener);
            _ = proxy.AcceptAsync(listener, index);
            return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        });
        return proxy;
    }

    /// <summary>From now on forwards to <paramref name="azurite"/> (same services, same order), dropping every open connection.</summary>
    public void Retarget(string azurite)
    {
        int[] ports = Ports(azurite);
        lock (connections)
        {
            ports.CopyTo(targets, 0);
            foreach (TcpClient c in connections) c.Close();
            connections.Clear();
        }
    }

    static int[] Ports(string connection) => [.. Endpoint().Matches(connection).Select(m => int.Parse(m.Groups[1].Value))];

    async Task AcceptAsync(TcpListener listener, int index)
    {
        try
        {
            while (!cut.IsCancellationRequested)
            {
                TcpClient inbound = await listener.AcceptTcpClientAsync(cut.Token);
                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, Volatile.Read(ref targets[index]), cut.Token);
                }
                catch (SocketException)
                {
                    // Nobody listens (Azurite is down): the caller sees a dropped connection, as it would.
                    inbound.Close();
                    outbound.Dispose();
                    continue;
                }

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
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
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
        foreach (TcpListener listener in listeners) listener.Stop();
        lock (connections) foreach (TcpClient c in connections) c.Close();
    }

    public ValueTask DisposeAsync()
    {
        if (!cut.IsCancellationRequested) Cut();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex Endpoint();
}
