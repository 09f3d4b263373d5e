namespace QlikBackup.Core.Storage;

/// <summary>
/// The content reference of an entry in a pack: <c>{packName}.{entryHmac}</c> (129 characters). It names the pack to read and
/// the entry to find in its header; both halves are HMACs under the tenant's naming key. A reference of content stored before
/// packs is one HMAC (64 characters, a content descriptor), so the two forms never collide.
/// </summary>
readonly record struct PackedRef(string Pack, string Entry)
{
    public override string ToString() => $"{Pack}.{Entry}";

    public string PackRef => BlobLayout.PackRefPrefix + Pack;

    public static bool TryParse(string contentRef, out PackedRef packed)
    {
        packed = default;
        if (contentRef.Length != 129 || contentRef[64] != '.') return false;
        string pack = contentRef[..64], entry = contentRef[65..];
        if (!ChunkCipher.IsName(pack) || !ChunkCipher.IsName(entry)) return false;
        packed = new PackedRef(pack, entry);
        return true;
    }
}
