using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Storage;

/// <summary>
/// The bytes of one pack blob, restic style: the sealed entries one after another, then the sealed pack header (the pack's
/// index: every entry's HMAC, offset, sealed length, plaintext size and SHA-256), then the header's length (4 bytes,
/// little endian). Each entry is sealed on its own, its associated data naming the tenant, the pack blob and the entry's
/// HMAC, so an entry cannot be moved to another pack, position or tenant. The pack's name is the HMAC of its header, so the
/// same entries in the same order always make the same name (a retried capture writes the same pack, refused as existing).
/// See docs/storage.md.
/// </summary>
static class PackFile
{
    static readonly byte[] NameDomain = Encoding.UTF8.GetBytes("qlikbackup/pack-header/v1\n");
    const int LengthSize = 4;

    /// <summary>Seals <paramref name="entries"/> (plaintexts with their HMAC names, distinct) into one pack; returns its name and bytes.</summary>
    public static (string Name, byte[] Bytes) Build(TenantKeys keys, IReadOnlyList<(string Hmac, ReadOnlyMemory<byte> Plaintext)> entries)
    {
        var header = new List<PackEntry>(entries.Count);
        long offset = 0;
        foreach ((string hmac, ReadOnlyMemory<byte> plaintext) in entries)
        {
            int sealedLength = plaintext.Length + ChunkCipher.Overhead;
            header.Add(new PackEntry(hmac, offset, sealedLength, plaintext.Length, Convert.ToHexStringLower(SHA256.HashData(plaintext.Span))));
            offset += sealedLength;
        }

        byte[] headerJson = JsonSerializer.SerializeToUtf8Bytes(new PackHeader(1, header), PackJson.Default.PackHeader);
        string name = Name(keys, headerJson);
        string blob = BlobLayout.PackBlob(keys.TenantId, name);
        byte[] sealedHeader = ChunkCipher.Seal(keys, blob, headerJson);
        var bytes = new byte[offset + sealedHeader.Length + LengthSize];
        for (int i = 0; i < entries.Count; i++)
        {
            ChunkCipher.Seal(keys, EntryAad(blob, header[i].Hmac), entries[i].Plaintext.Span).CopyTo(bytes, header[i].Offset);
        }

        sealedHeader.CopyTo(bytes, offset);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - LengthSize), sealedHeader.Length);
        return (name, bytes);
    }

    /// <summary>Authenticates the header of a whole pack read back: its tag, that it hashes to the pack's name, and that
    /// every entry lies inside the pack before the header.</summary>
    public static PackHeader ReadHeader(TenantKeys keys, string packName, ReadOnlySpan<byte> pack)
    {
        string blob = BlobLayout.PackBlob(keys.TenantId, packName);
        int headerLength = pack.Length >= LengthSize ? BinaryPrimitives.ReadInt32LittleEndian(pack[^LengthSize..]) : -1;
        if (headerLength < ChunkCipher.Overhead || headerLength > pack.Length - LengthSize)
        {
            throw new ContentIntegrityException($"Pack '{blob}' has no readable header ({pack.Length} bytes): it was truncated or replaced.");
        }

        int headerStart = pack.Length - LengthSize - headerLength;
        byte[] headerJson = ChunkCipher.Open(keys, blob, pack.Slice(headerStart, headerLength));
        PackHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(headerJson, PackJson.Default.PackHeader);
        }
        catch (JsonException ex)
        {
            throw new ContentIntegrityException($"The header of pack '{blob}' decrypted but is not a pack header.", ex);
        }

        if (header?.Entries is null || Name(keys, headerJson) != packName
            || header.Entries.Any(e => !ChunkCipher.IsName(e.Hmac) || e.Offset < 0 || e.Size < 0
                || e.SealedLength != e.Size + ChunkCipher.Overhead || e.Offset + e.SealedLength > headerStart))
        {
            throw new ContentIntegrityException($"The header of pack '{blob}' does not match the pack's name: it is not the pack that was stored.");
        }

        return header;
    }

    /// <summary>Decrypts one entry and checks it is the content its HMAC names; never returns unauthenticated bytes.</summary>
    public static byte[] OpenEntry(TenantKeys keys, string packName, PackEntry entry, ReadOnlySpan<byte> pack)
    {
        string blob = BlobLayout.PackBlob(keys.TenantId, packName);
        byte[] plaintext = ChunkCipher.Open(keys, EntryAad(blob, entry.Hmac), pack.Slice((int)entry.Offset, entry.SealedLength));
        if (plaintext.Length != entry.Size || ChunkCipher.Name(keys, plaintext) != entry.Hmac
            || Convert.ToHexStringLower(SHA256.HashData(plaintext)) != entry.Sha256)
        {
            throw new ContentIntegrityException($"Entry '{entry.Hmac}' of pack '{blob}' decrypted to bytes that are not the content its name stands for.");
        }

        return plaintext;
    }

    static string Name(TenantKeys keys, byte[] headerJson) => ChunkCipher.Name(keys, [.. NameDomain, .. headerJson]);

    /// <summary>Associated data of an entry: its pack blob (which names the tenant's folder; the cipher adds the tenant id) and its HMAC.</summary>
    static string EntryAad(string packBlob, string hmac) => $"{packBlob}#{hmac}";
}

/// <summary>One entry of a pack: where its sealed bytes are and what they decrypt to.</summary>
sealed record PackEntry(
    [property: JsonPropertyName("h")] string Hmac,
    [property: JsonPropertyName("o")] long Offset,
    [property: JsonPropertyName("l")] int SealedLength,
    [property: JsonPropertyName("s")] int Size,
    [property: JsonPropertyName("sha256")] string Sha256);

sealed record PackHeader(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("entries")] IReadOnlyList<PackEntry> Entries)
{
    public PackEntry? Find(string hmac) => Entries.FirstOrDefault(e => e.Hmac == hmac);
}

[JsonSerializable(typeof(PackHeader))]
partial class PackJson : JsonSerializerContext;
