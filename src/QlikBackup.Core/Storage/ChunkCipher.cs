using System.Security.Cryptography;
using System.Text;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Storage;

/// <summary>
/// AES-256-GCM sealing of one blob as nonce(12) || ciphertext || tag(16). The associated data binds the ciphertext to
/// its tenant and blob name, so a blob copied to another name or tenant fails authentication.
/// </summary>
static class ChunkCipher
{
    const int NonceSize = 12;
    const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    public static byte[] Seal(TenantKeys keys, string blobName, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + Overhead];
        SealInto(keys, blobName, plaintext, output);
        return output;
    }

    /// <summary>Seals into <paramref name="output"/> (at least <c>plaintext.Length + Overhead</c> bytes, e.g. pooled); returns the length written.</summary>
    public static int SealInto(TenantKeys keys, string blobName, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = output[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.ContentKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.Slice(NonceSize, plaintext.Length), output.Slice(NonceSize + plaintext.Length, TagSize), Aad(keys, blobName));
        return plaintext.Length + Overhead;
    }

    public static byte[] Open(TenantKeys keys, string blobName, ReadOnlySpan<byte> sealedBlob)
    {
        var plaintext = new byte[PlaintextLength(blobName, sealedBlob)];
        OpenInto(keys, blobName, sealedBlob, plaintext);
        return plaintext;
    }

    /// <summary>Opens into <paramref name="plaintext"/> (at least <c>sealedBlob.Length - Overhead</c> bytes, e.g. pooled); returns the length written.</summary>
    public static int OpenInto(TenantKeys keys, string blobName, ReadOnlySpan<byte> sealedBlob, Span<byte> plaintext)
    {
        int length = PlaintextLength(blobName, sealedBlob);
        try
        {
            using var aes = new AesGcm(keys.ContentKey, TagSize);
            aes.Decrypt(sealedBlob[..NonceSize], sealedBlob.Slice(NonceSize, length), sealedBlob[(NonceSize + length)..], plaintext[..length], Aad(keys, blobName));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new ContentIntegrityException(
                $"Blob '{blobName}' failed authentication (AES-GCM tag mismatch): it was altered, moved, or is read with another tenant's key.", ex);
        }

        return length;
    }

    static int PlaintextLength(string blobName, ReadOnlySpan<byte> sealedBlob) => sealedBlob.Length >= Overhead
        ? sealedBlob.Length - Overhead
        : throw new ContentIntegrityException($"Blob '{blobName}' is {sealedBlob.Length} bytes, too short to be an encrypted blob: it was truncated or replaced.");

    /// <summary>HMAC-SHA256 under the tenant's naming key, hex: the blob name of a plaintext.</summary>
    public static string Name(TenantKeys keys, ReadOnlySpan<byte> plaintext) => Convert.ToHexStringLower(HMACSHA256.HashData(keys.NamingKey, plaintext));

    public static bool IsName(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);

    static byte[] Aad(TenantKeys keys, string blobName) => Encoding.UTF8.GetBytes($"{keys.TenantId}\n{blobName}");
}
