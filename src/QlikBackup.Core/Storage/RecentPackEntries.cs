namespace QlikBackup.Core.Storage;

/// <summary>
/// The pack entries this process wrote lately, by tenant and entry HMAC, so the same small content captured again (an empty
/// sheet, a schedule list shared by many apps) points at the entry already stored instead of being packed once more,
/// without a request. Bounded in count; an entry is only reused while it is younger than <c>window</c>, which must stay
/// shorter than retention's sweep grace period minus the longest capture: a pack that young cannot have been swept
/// (see docs/storage.md, "What is deduplicated").
/// </summary>
sealed class RecentPackEntries(int maxEntries, TimeSpan window, TimeProvider clock)
{
    readonly Lock gate = new();
    readonly Dictionary<(string Tenant, string Hmac), (PackedRef Ref, DateTimeOffset Written)> entries = [];
    readonly Queue<(string Tenant, string Hmac)> order = new();

    public bool TryGet(string tenantId, string hmac, out PackedRef packed)
    {
        lock (gate)
        {
            if (entries.TryGetValue((tenantId, hmac), out var e) && clock.GetUtcNow() - e.Written < window)
            {
                packed = e.Ref;
                return true;
            }
        }

        packed = default;
        return false;
    }

    /// <summary>A pack found missing or altered is never pointed at again: the parts are packed anew (the capture heals).</summary>
    public void Forget(string tenantId, string packName)
    {
        lock (gate)
        {
            foreach (var key in entries.Where(e => e.Key.Tenant == tenantId && e.Value.Ref.Pack == packName).Select(e => e.Key).ToList())
                entries.Remove(key);
        }
    }

    public void Add(string tenantId, PackedRef packed)
    {
        if (maxEntries <= 0 || window <= TimeSpan.Zero) return;
        lock (gate)
        {
            var key = (tenantId, packed.Entry);
            if (!entries.ContainsKey(key)) order.Enqueue(key);
            entries[key] = (packed, clock.GetUtcNow());
            while (order.Count > maxEntries) entries.Remove(order.Dequeue());
        }
    }
}
