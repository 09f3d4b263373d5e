namespace QlikBackup.Core.Storage;

/// <summary>A pack read back whole, its header already authenticated; entries are authenticated each time one is opened.</summary>
sealed record LoadedPack(string Name, PackHeader Header, byte[] Bytes);

/// <summary>
/// The packs this process read lately, least recently used dropped first once they hold more than <c>maxBytes</c>, so a
/// restore reading an app's twenty parts reads its pack once. Concurrent readers of one pack share one download; a failed
/// download is not kept. Only reads use it: verify always reads storage afresh.
/// </summary>
sealed class PackCache(long maxBytes)
{
    readonly Lock gate = new();
    readonly Dictionary<string, LinkedListNode<(string Key, Task<LoadedPack> Load)>> byKey = new(StringComparer.Ordinal);
    readonly LinkedList<(string Key, Task<LoadedPack> Load)> recency = new();
    /// <summary>Loads whose bytes are in <see cref="bytes"/> (a load still running counts nothing yet).</summary>
    readonly HashSet<Task<LoadedPack>> counted = [];
    long bytes;

    public async Task<LoadedPack> GetAsync(string tenantId, string packName, Func<Task<LoadedPack>> load, CancellationToken ct)
    {
        string key = $"{tenantId}\n{packName}";
        Task<LoadedPack> task;
        lock (gate)
        {
            if (byKey.TryGetValue(key, out var node))
            {
                recency.Remove(node);
                recency.AddFirst(node);
                task = node.Value.Load;
            }
            else
            {
                task = load();
                byKey[key] = recency.AddFirst((key, task));
            }
        }

        try
        {
            LoadedPack pack = await task.WaitAsync(ct);
            Account(key, task, pack);
            return pack;
        }
        catch when (task.IsFaulted || task.IsCanceled)
        {
            Forget(key, task);
            throw;
        }
    }

    /// <summary>Counts a finished load once, then drops the oldest packs beyond the bound (never the one just read).</summary>
    void Account(string key, Task<LoadedPack> task, LoadedPack pack)
    {
        lock (gate)
        {
            if (!byKey.TryGetValue(key, out var node) || node.Value.Load != task || counted.Contains(task)) return;
            counted.Add(task);
            bytes += pack.Bytes.Length;
            while (bytes > maxBytes && recency.Last is { } oldest && oldest.Value.Key != key)
            {
                Remove(oldest);
            }

            if (bytes > maxBytes) Remove(node); // a single pack larger than the whole cache is not kept
        }
    }

    void Forget(string key, Task<LoadedPack> task)
    {
        lock (gate)
        {
            if (byKey.TryGetValue(key, out var node) && node.Value.Load == task) Remove(node);
        }
    }

    void Remove(LinkedListNode<(string Key, Task<LoadedPack> Load)> node)
    {
        recency.Remove(node);
        byKey.Remove(node.Value.Key);
        if (counted.Remove(node.Value.Load)) bytes -= node.Value.Load.Result.Bytes.Length;
    }
}
