using System.Collections.Concurrent;
using System.Diagnostics;

namespace QlikBackup.Bench;

/// <summary>Where an outgoing request went, as the benchmark counts it.</summary>
public enum RequestTarget { Blob, Table, Queue, Qlik }

/// <summary>
/// Counts every HTTP request this process sends (the System.Net.Http activity, which the Azure SDK's transport and the
/// Qlik clients both go through), by target and by what was asked for: Azurite by service and by owner (the backup's own
/// container and tables, or the Durable task hub's), the simulated tenant by REST collection, Engine sessions (the
/// WebSocket upgrade on /app/{id}) apart.
/// </summary>
public sealed class RequestCounter : IDisposable
{
    readonly ActivityListener listener;
    readonly Dictionary<int, RequestTarget> ports;
    readonly string taskHub;
    readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public RequestCounter(string storageConnection, Uri tenant, string taskHub)
    {
        ports = new Dictionary<int, RequestTarget> { [tenant.Port] = RequestTarget.Qlik };
        foreach (string part in storageConnection.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = part.Split('=', 2);
            if (kv.Length == 2 && Uri.TryCreate(kv[1], UriKind.Absolute, out Uri? uri))
            {
                switch (kv[0])
                {
                    case "BlobEndpoint": ports[uri.Port] = RequestTarget.Blob; break;
                    case "TableEndpoint": ports[uri.Port] = RequestTarget.Table; break;
                    case "QueueEndpoint": ports[uri.Port] = RequestTarget.Queue; break;
                }
            }
        }

        this.taskHub = taskHub;
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>A copy of the counts so far; subtract two of them to get one phase's requests.</summary>
    public RequestCounts Snapshot() => new(new Dictionary<string, long>(counts, StringComparer.Ordinal));

    void Record(Activity activity)
    {
        if (activity.GetTagItem("url.full") is not string url || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            || !ports.TryGetValue(uri.Port, out RequestTarget target))
        {
            return;
        }

        string[] segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string key;
        if (target == RequestTarget.Qlik)
        {
            key = segments switch
            {
                ["app", ..] => "qlik:engine-session",
                ["api", "v1", string collection, ..] => "qlik:" + collection,
                _ => "qlik:" + string.Join('/', segments),
            };
        }
        else
        {
            // Path-style Azurite URLs: /{account}/{container, table(...) or queue}/...
            string resource = segments.Length > 1 ? segments[1] : "";
            string owner = resource.StartsWith(taskHub, StringComparison.OrdinalIgnoreCase) ? "durable" : "backup";
            key = $"{target.ToString().ToLowerInvariant()}:{owner}";
            if (target == RequestTarget.Blob && owner == "backup" && activity.GetTagItem("http.request.method") is "PUT"
                && activity.GetTagItem("http.response.status_code") is 201)
            {
                counts.AddOrUpdate("blob:created", 1, (_, n) => n + 1);
            }
        }

        counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public void Dispose() => listener.Dispose();
}

/// <summary>Request counts by key (<c>blob:backup</c>, <c>table:durable</c>, <c>qlik:reload-tasks</c>, <c>qlik:engine-session</c> ...).</summary>
public sealed record RequestCounts(IReadOnlyDictionary<string, long> ByKey)
{
    public long this[string key] => ByKey.GetValueOrDefault(key);

    /// <summary>The backup's own storage requests (blobs and tables), without the Durable task hub's.</summary>
    public long BackupStorage => this["blob:backup"] + this["table:backup"];

    public long DurableStorage => this["blob:durable"] + this["table:durable"] + this["queue:durable"];

    /// <summary>Qlik REST calls (Engine sessions apart).</summary>
    public long QlikRest => ByKey.Where(kv => kv.Key.StartsWith("qlik:", StringComparison.Ordinal) && kv.Key != "qlik:engine-session").Sum(kv => kv.Value);

    public long EngineSessions => this["qlik:engine-session"];

    public static RequestCounts operator -(RequestCounts after, RequestCounts before) => new(
        after.ByKey.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key], StringComparer.Ordinal));
}
