using Microsoft.AspNetCore.Connections;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using QlikBackup.DevServices;

namespace QlikBackup.Functions.Tests.Support;

/// <summary>
/// Starts a <see cref="DurableTaskTestHost"/> on a port that is free. Left to itself the host draws a random port in
/// 30000–40000, which overlaps Linux's ephemeral range (32768+) where every open client socket (Azurite's, the other
/// test assemblies') holds one: CI saw "address already in use". The kernel's pick is free a moment ago; a start that
/// still loses the race tries another port.
/// </summary>
static class TestHosts
{
    const int Attempts = 5;

    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry, DurableTaskTestHostOptions? options = null)
    {
        options ??= new DurableTaskTestHostOptions();
        for (int attempt = 1; ; attempt++)
        {
            options.Port = LoopbackPort.Free();
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, options);
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException && attempt < Attempts)
            {
            }
        }
    }
}
