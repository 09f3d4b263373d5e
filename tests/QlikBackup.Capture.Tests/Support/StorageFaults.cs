using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace QlikBackup.Capture.Tests.Support;

/// <summary>
/// Storage faults through the Azure SDK pipeline, as a flaky network or a storage outage presents them: requests matching
/// the armed rule fail with a connection reset (IOException) before reaching Azurite, the next <c>count</c> times.
/// The SDK's own retries run (kept short here), so a burst below them is absorbed and a storm is not.
/// </summary>
public sealed class StorageFaults : HttpPipelinePolicy
{
    readonly Lock gate = new();
    Func<HttpMessage, bool>? matches;
    int remaining;

    /// <summary>How many requests were failed so far.</summary>
    public int Injected { get; private set; }

    public void Arm(int count, Func<HttpMessage, bool> rule)
    {
        lock (gate) (matches, remaining) = (rule, count);
    }

    public void Clear()
    {
        lock (gate) (matches, remaining) = (null, 0);
    }

    /// <summary>Blob or Table requests of <paramref name="method"/> whose path contains <paramref name="pathPart"/>.</summary>
    public static Func<HttpMessage, bool> Rule(string method, string pathPart)
        => m => m.Request.Method.Method == method && m.Request.Uri.Path.Contains(pathPart, StringComparison.Ordinal);

    public void AddTo(IServiceCollection services) => services.AddAzureClients(clients => clients.ConfigureDefaults(o =>
    {
        o.AddPolicy(this, HttpPipelinePosition.PerRetry);
        o.Retry.MaxRetries = 2;
        o.Retry.Delay = TimeSpan.FromMilliseconds(10);
        o.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
    }));

    bool Take(HttpMessage message)
    {
        lock (gate)
        {
            if (matches is null || remaining <= 0 || !matches(message)) return false;
            remaining--;
            Injected++;
            return true;
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Take(message)) throw new IOException("Injected storage fault: connection reset.");
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Take(message)) throw new IOException("Injected storage fault: connection reset.");
        return ProcessNextAsync(message, pipeline);
    }
}
