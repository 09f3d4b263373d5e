using System.Diagnostics;
using Azure.Data.Tables;
using QlikBackup.DevServices.Azurite;

namespace QlikBackup.Core.Tests.Storage;

/// <summary>Azurite never outlives the process that started it (a red test run or a kill -9 of the local host).</summary>
public sealed class AzuriteLifetimeTests
{
    [Fact]
    public async Task Azurite_exits_when_the_pipe_its_parent_holds_closes()
    {
        if (Environment.GetEnvironmentVariable(AzuriteServer.ExternalConnectionVariable) is { Length: > 0 }) return; // not ours to stop

        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        using Process node = Process.GetProcessById(azurite.ProcessId!.Value);
        await new TableServiceClient(azurite.ConnectionString).GetTableClient("Alive").CreateIfNotExistsAsync();

        // When the parent dies the OS closes its end of node's stdin; nothing else tells node to stop.
        azurite.ClosePipeAsIfParentDied();

        // A hang guard, not a timing claim: the wrapper exits on the pipe's end event.
        await node.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(node.HasExited);
    }
}
