using System.Collections.Concurrent;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Tenant-wide listings (all reload tasks, users, a space's assignments ...) kept for exactly one scope: a capture run (its
/// run id), or a single capture outside a run. Concurrent callers of a scope share one load; a failed load is not kept; a
/// new scope reads fresh. Memory stays bounded: a scope's entries are dropped when it ends (<see cref="Drop"/>), and an
/// entry never outlives its lifetime (a run whose end never came, a run longer than the lifetime reads again).
/// </summary>
internal sealed class ListingCache(TimeProvider clock)
{
    const char Separator = '\u001f';

    readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <param name="lifetime">The longest an entry is kept; zero disables reuse (every call loads).</param>
    public async Task<T> GetAsync<T>(string scope, string key, TimeSpan lifetime, Func<CancellationToken, Task<T>> load, CancellationToken ct)
    {
        if (lifetime <= TimeSpan.Zero) return await load(ct);
        string fullKey = scope + Separator + key;
        DateTimeOffset now = clock.GetUtcNow();
        Sweep(now);
        while (true)
        {
            Entry entry = entries.GetOrAdd(fullKey, _ => new Entry(now + lifetime, new Lazy<Task<object?>>(async () => await load(CancellationToken.None))));
            if (entry.Expires <= now)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(fullKey, entry));
                continue;
            }

            try
            {
                return (T)(await entry.Value.Value.WaitAsync(ct))!;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(fullKey, entry));
                throw;
            }
        }
    }

    /// <summary>Forgets every listing of the scope (its run ended, or its single capture finished).</summary>
    public void Drop(string scope)
    {
        string prefix = scope + Separator;
        foreach (string key in entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) entries.TryRemove(key, out _);
        }
    }

    /// <summary>How many listings are held (all scopes): what the memory bound is about.</summary>
    public int Count => entries.Count;

    void Sweep(DateTimeOffset now)
    {
        foreach (KeyValuePair<string, Entry> e in entries)
        {
            if (e.Value.Expires <= now) entries.TryRemove(e);
        }
    }

    sealed record Entry(DateTimeOffset Expires, Lazy<Task<object?>> Value);
}
