using System.Collections.Concurrent;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Short-lived, process-wide reuse of tenant-wide listings (all reload tasks, users, a space's assignments ...) across the
/// asset captures of one run: concurrent callers share one load; a failed load is not kept.
/// </summary>
internal sealed class ListingCache(TimeProvider clock)
{
    readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <param name="refresh">Load now (and keep the fresh result for the others): captures triggered by a change must see it.</param>
    public async Task<T> GetAsync<T>(string key, TimeSpan duration, Func<CancellationToken, Task<T>> load, CancellationToken ct, bool refresh = false)
    {
        if (duration <= TimeSpan.Zero) return await load(ct);
        if (refresh) entries.TryRemove(key, out _);
        DateTimeOffset now = clock.GetUtcNow();
        while (true)
        {
            Entry entry = entries.GetOrAdd(key, _ => new Entry(now + duration, new Lazy<Task<object?>>(async () => await load(CancellationToken.None))));
            if (entry.Expires <= now)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                continue;
            }

            try
            {
                return (T)(await entry.Value.Value.WaitAsync(ct))!;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                throw;
            }
        }
    }

    sealed record Entry(DateTimeOffset Expires, Lazy<Task<object?>> Value);
}
