using Microsoft.Extensions.Options;

namespace QlikBackup.Core.Crypto;

/// <summary>Which key-encryption key wraps the per-tenant data keys.</summary>
public sealed class CryptoOptions
{
    public const string Section = "Crypto";
    public const string LocalProvider = "Local";
    public const string KeyVaultProvider = "KeyVault";

    /// <summary>"Local" (development only) or "KeyVault".</summary>
    public string KeyProvider { get; set; } = LocalProvider;

    /// <summary>https://{vault}.vault.azure.net/keys/{name}[/{version}]; required for KeyVault. The identity needs wrapKey and unwrapKey.</summary>
    public string? KeyVaultKeyId { get; set; }

    /// <summary>Base64 of a 32-byte AES key, for Local. Empty: the key lives in <see cref="LocalKeyFile"/>, created on first use.</summary>
    public string? LocalKey { get; set; }

    /// <summary>Key file for Local without <see cref="LocalKey"/>; empty means <see cref="DefaultLocalKeyFile"/>.</summary>
    public string? LocalKeyFile { get; set; }

    /// <summary>{LocalApplicationData}/QlikBackup/dev-kek.key (~/.local/share/QlikBackup/dev-kek.key on Linux).</summary>
    public static string DefaultLocalKeyFile => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "QlikBackup",
        "dev-kek.key");

    public bool IsKeyVault => string.Equals(KeyProvider, KeyVaultProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsLocal => string.Equals(KeyProvider, LocalProvider, StringComparison.OrdinalIgnoreCase);
}

public sealed class CryptoOptionsValidator : IValidateOptions<CryptoOptions>
{
    readonly bool runningInAzure;

    public CryptoOptionsValidator()
        : this(!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID")))
    {
    }

    internal CryptoOptionsValidator(bool runningInAzure) => this.runningInAzure = runningInAzure;

    public ValidateOptionsResult Validate(string? name, CryptoOptions options)
    {
        if (options.IsKeyVault)
        {
            if (string.IsNullOrWhiteSpace(options.KeyVaultKeyId))
            {
                return ValidateOptionsResult.Fail(
                    "Crypto:KeyVaultKeyId is required when Crypto:KeyProvider is KeyVault: the https URI of a Key Vault key (https://{vault}.vault.azure.net/keys/{name}[/{version}]).");
            }

            string? problem = KeyVaultKeyEncryptionKey.DescribeInvalidKeyId(options.KeyVaultKeyId);
            return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Crypto:KeyVaultKeyId {problem}");
        }

        if (!options.IsLocal)
        {
            return ValidateOptionsResult.Fail($"Crypto:KeyProvider is '{options.KeyProvider}'; it must be 'Local' (development) or 'KeyVault'.");
        }

        if (!string.IsNullOrWhiteSpace(options.LocalKey))
        {
            // Never echo the value: it is a key.
            return LocalKeyEncryptionKey.TryDecodeKey(options.LocalKey) is null
                ? ValidateOptionsResult.Fail("Crypto:LocalKey must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`).")
                : ValidateOptionsResult.Success;
        }

        // A key file on an App Service instance's disk is lost with the instance, and every data key with it.
        return runningInAzure && string.IsNullOrWhiteSpace(options.LocalKeyFile)
            ? ValidateOptionsResult.Fail("Crypto:KeyProvider is Local without Crypto:LocalKey while running in Azure; set Crypto:KeyProvider to KeyVault and Crypto:KeyVaultKeyId.")
            : ValidateOptionsResult.Success;
    }
}
