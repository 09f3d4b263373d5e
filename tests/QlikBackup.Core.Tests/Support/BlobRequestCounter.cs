using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace QlikBackup.Core.Tests.Support;

/// <summary>Counts the requests a Blob client sends, by method ("PUT", "GET", "HEAD"), as the storage account bills them.</summary>
public sealed class BlobRequestCounter : HttpPipelinePolicy
{
    readonly ConcurrentDictionary<string, int> byMethod = new(StringComparer.Ordinal);

    public int this[string method] => byMethod.GetValueOrDefault(method);

    public int Total => byMethod.Values.Sum();

    public void Reset() => byMethod.Clear();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    void Count(HttpMessage message) => byMethod.AddOrUpdate(message.Request.Method.Method, 1, (_, n) => n + 1);
}
