using System.Security.Cryptography;
using System.Text;

namespace QlikBackup.Core.Crypto;

/// <summary>
/// Development key-encryption key: a 256-bit AES key held in memory; wraps with AES-256-GCM as nonce||ciphertext||tag.
/// Its id carries a fingerprint of the key, so data keys wrapped by another local key fail with a clear message.
/// </summary>
public sealed class LocalKeyEncryptionKey : IKeyEncryptionKey
{
    const int NonceSize = 12;
    const int TagSize = 16;
    static readonly byte[] Aad = Encoding.UTF8.GetBytes("qlikbackup/local-kek/v1");

    readonly byte[] key;

    public LocalKeyEncryptionKey(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The local key-encryption key must be 32 bytes (AES-256).", nameof(key));
        }

        this.key = (byte[])key.Clone();
        // A fingerprint, not the key: SHA-256 of a random 256-bit key reveals nothing usable.
        KeyId = "local:" + Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
    }

    public string KeyId { get; }

    /// <summary>
    /// Reads the base64 key from <paramref name="keyFile"/>, creating it with a new random key (owner-only permissions)
    /// when it does not exist yet. Two processes racing to create it agree: the loser reads the winner's file.
    /// </summary>
    public static LocalKeyEncryptionKey FromKeyFile(string keyFile)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(keyFile));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        if (!File.Exists(keyFile))
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var writer = new StreamWriter(keyFile, Encoding.ASCII, options);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
            catch (IOException) when (File.Exists(keyFile))
            {
                // Another process created it first; use theirs.
            }
        }

        string text = File.ReadAllText(keyFile).Trim();
        byte[]? bytes = TryDecodeKey(text);
        return bytes is null
            ? throw new KeyEncryptionKeyException($"The local key file '{keyFile}' does not hold a base64 32-byte key.")
            : new LocalKeyEncryptionKey(bytes);
    }

    /// <summary>Base64 of exactly 32 bytes, or null.</summary>
    public static byte[]? TryDecodeKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var buffer = new byte[33];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out int written) && written == 32 ? buffer[..32] : null;
    }

    public Task<byte[]> WrapKeyAsync(byte[] dataKey, CancellationToken ct = default)
    {
        var output = new byte[NonceSize + dataKey.Length + TagSize];
        Span<byte> nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, dataKey, output.AsSpan(NonceSize, dataKey.Length), output.AsSpan(NonceSize + dataKey.Length), Aad);
        return Task.FromResult(output);
    }

    public Task<byte[]> UnwrapKeyAsync(byte[] wrappedKey, string keyId, CancellationToken ct = default)
    {
        if (keyId != KeyId)
        {
            throw new KeyEncryptionKeyException(
                $"The data key was wrapped by key '{keyId}', but the configured local key is '{KeyId}'. Configure the key that wrapped it (Crypto:LocalKey).");
        }

        if (wrappedKey.Length <= NonceSize + TagSize)
        {
            throw new KeyEncryptionKeyException("The wrapped data key is too short to be a local AES-GCM wrap.");
        }

        int length = wrappedKey.Length - NonceSize - TagSize;
        var dataKey = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(wrappedKey.AsSpan(0, NonceSize), wrappedKey.AsSpan(NonceSize, length), wrappedKey.AsSpan(NonceSize + length), dataKey, Aad);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new KeyEncryptionKeyException("The wrapped data key failed authentication: it was altered, or wrapped by a different local key.", ex);
        }

        return Task.FromResult(dataKey);
    }
}
