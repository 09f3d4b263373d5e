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
        Span<byte> nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.ContentKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Aad(keys, blobName));
        return output;
    }

    public static byte[] Open(TenantKeys keys, string blobName, ReadOnlySpan<byte> sealedBlob)
    {
        if (sealedBlob.Length < Overhead)
        {
            throw new ContentIntegrityException($"Blob '{blobName}' is {sealedBlob.Length} bytes, too short to be an encrypted blob: it was truncated or replaced.");
        }

        int length = sealedBlob.Length - Overhead;
        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(keys.ContentKey, TagSize);
            aes.Decrypt(sealedBlob[..NonceSize], sealedBlob.Slice(NonceSize, length), sealedBlob[(NonceSize + length)..], plaintext, Aad(keys, blobName));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new ContentIntegrityException(
                $"Blob '{blobName}' failed authentication (AES-GCM tag mismatch): it was altered, moved, or is read with another tenant's key.", ex);
        }

        return plaintext;
    }

    /// <summary>HMAC-SHA256 under the tenant's naming key, hex: the blob name of a plaintext.</summary>
    public static string Name(TenantKeys keys, ReadOnlySpan<byte> plaintext) => Convert.ToHexStringLower(HMACSHA256.HashData(keys.NamingKey, plaintext));

    public static bool IsName(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);

    static byte[] Aad(TenantKeys keys, string blobName) => Encoding.UTF8.GetBytes($"{keys.TenantId}\n{blobName}");
}
