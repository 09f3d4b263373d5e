namespace QlikBackup.Core.Storage;

/// <summary>How <see cref="BlobContentStore"/> packs small content (from <see cref="StorageOptions"/>; see docs/storage.md).</summary>
/// <param name="MaxPackedSize">Content up to this many bytes goes into packs; larger content is chunked.</param>
/// <param name="MaxPackSize">A pack is closed once it holds this many bytes (a read of one entry downloads its whole pack).</param>
/// <param name="CacheBytes">Packs kept in memory for reads, per process.</param>
/// <param name="DedupWindow">How long an entry this process wrote is reused for the same content instead of packed again.</param>
/// <param name="DedupEntries">How many such entries are remembered, per process.</param>
public sealed record PackSettings(int MaxPackedSize, int MaxPackSize, long CacheBytes, TimeSpan DedupWindow, int DedupEntries = 100_000)
{
    public static PackSettings Default { get; } = new(512 * 1024, 4 * 1024 * 1024, 64L * 1024 * 1024, TimeSpan.FromMinutes(30));
}
