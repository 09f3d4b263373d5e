using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Retention;

/// <summary>
/// Which packs the kept points use and how much of each: a packed part counts for the pack that holds its entry now (its
/// own, or the end of the forwarding records repacks left), with the records on the way, so a repacked-away pack is no
/// longer referenced and goes with the sweep. Sizes come from the manifests, so this costs no request.
/// </summary>
internal sealed class PackLiveness(IReadOnlyDictionary<string, string> forwards)
{
    const int MaxHops = 8;
    /// <summary>Nonce and tag of a sealed pack entry, plus at most what the entry's line takes in the pack header (its
    /// HMAC, SHA-256, offset and sizes in JSON): a live entry's share of the pack, never less than it really is.</summary>
    const int EntryOverhead = 28 + 190;
    /// <summary>The header's own nonce, tag, length and JSON frame.</summary>
    const int PackOverhead = 64;

    readonly Dictionary<string, long> liveBytes = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<string>> liveEntries = new(StringComparer.Ordinal);
    readonly HashSet<string> whole = new(StringComparer.Ordinal);

    public bool IsForwarded(string pack) => forwards.ContainsKey(pack);

    /// <summary>The blobs a packed reference keeps alive (<c>packs/{now}</c> and any <c>forwards/</c> records), or null for other content.</summary>
    public IEnumerable<string>? BlobsOf(string contentRef)
    {
        if (!PackedRef.TryParse(contentRef, out PackedRef packed)) return null;
        (string pack, List<string> records) = Resolve(packed.Pack);
        return records.Append(BlobLayout.PackRefPrefix + pack);
    }

    public void AddPart(string contentRef, long size)
    {
        if (!PackedRef.TryParse(contentRef, out PackedRef packed)) return;
        string pack = Resolve(packed.Pack).Pack;
        if (!liveEntries.TryGetValue(pack, out HashSet<string>? entries)) liveEntries[pack] = entries = new(StringComparer.Ordinal);
        if (entries.Add(packed.Entry)) liveBytes[pack] = liveBytes.GetValueOrDefault(pack) + size + EntryOverhead;
    }

    /// <summary>A manifest's own size is recorded nowhere: its pack counts as live whole (and is never repacked).</summary>
    public void AddManifest(string manifestRef)
    {
        if (PackedRef.TryParse(manifestRef, out PackedRef packed)) whole.Add(Resolve(packed.Pack).Pack);
    }

    public bool IsWhole(string pack) => whole.Contains(pack);

    public bool IsReferenced(string pack) => whole.Contains(pack) || liveEntries.ContainsKey(pack);

    /// <summary>Live bytes of a pack of <paramref name="size"/> bytes.</summary>
    public long LiveBytes(string pack, long size) => whole.Contains(pack) ? size : Math.Min(size, liveBytes.GetValueOrDefault(pack) + PackOverhead);

    public IReadOnlyCollection<string> LiveEntries(string pack) => liveEntries.TryGetValue(pack, out HashSet<string>? e) ? e : [];

    (string Pack, List<string> Records) Resolve(string pack)
    {
        var records = new List<string>();
        for (int hops = 0; hops < MaxHops && forwards.TryGetValue(pack, out string? next); hops++)
        {
            records.Add($"{BlobLayout.ForwardRefPrefix}{pack}.{next}");
            pack = next;
        }

        return (pack, records);
    }
}
