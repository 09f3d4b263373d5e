using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class StorageOptionsTests(AzuriteFixture azurite)
{
    const string ValidLocalKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes, test only

    [Theory]
    [InlineData("not a connection string")]
    [InlineData("AccountName=x;AccountKey=???;")]
    public async Task MalformedConnectionString_StopsStartupNamingTheSetting(string connectionString)
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = connectionString });
        Assert.Contains("Storage:ConnectionString is not a valid Azure Storage connection string", message);
    }

    [Theory]
    [InlineData("Storage:PackedPartMaxBytes", "-1", "Storage:PackedPartMaxBytes must be between 0 (no packs) and 4194304")]
    [InlineData("Storage:PackMaxBytes", "1000", "Storage:PackMaxBytes must be between 65536")]
    [InlineData("Storage:PackCacheMiB", "5000", "Storage:PackCacheMiB must be between 0 and 4096")]
    [InlineData("Storage:PackDedupWindow", "2.00:00:00", "Storage:PackDedupWindow must be between 00:00:00 (off) and 1.00:00:00")]
    public async Task PackSettingOutOfRange_StopsStartupNamingTheSetting(string setting, string value, string expected)
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", [setting] = value });
        Assert.Contains(expected, message);
    }

    [Fact]
    public void PackSettings_AreReadFromTheStorageSection()
    {
        using IHost host = BuildHost(new()
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Storage:PackedPartMaxBytes"] = "0", ["Storage:PackCacheMiB"] = "8",
        });
        PackSettings packs = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.ToPackSettings();
        Assert.Equal((0, 4 * MiB, 8L * MiB), (packs.MaxPackedSize, packs.MaxPackSize, packs.CacheBytes));
        Assert.Equal(0, host.Services.GetRequiredService<IContentStore>().MaxPackedSize);
    }

    [Fact]
    public async Task UnknownKeyProvider_StopsStartupNamingTheSetting()
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Crypto:KeyProvider"] = "Vault9" });
        Assert.Contains("Crypto:KeyProvider is 'Vault9'; it must be 'Local' (development) or 'KeyVault'.", message);
    }

    [Fact]
    public async Task KeyVaultWithoutKeyId_StopsStartupNamingTheSetting()
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Crypto:KeyProvider"] = "KeyVault" });
        Assert.Contains("Crypto:KeyVaultKeyId is required when Crypto:KeyProvider is KeyVault", message);
    }

    [Theory]
    [InlineData("http://vault.example/keys/k")]
    [InlineData("https://vault.example/secrets/k")]
    public async Task KeyVaultKeyIdThatIsNotAKeyUri_StopsStartupNamingTheSetting(string keyId)
    {
        string message = await StartupFailureAsync(new()
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Crypto:KeyProvider"] = "KeyVault", ["Crypto:KeyVaultKeyId"] = keyId,
        });
        Assert.Contains("Crypto:KeyVaultKeyId", message);
    }

    [Fact]
    public async Task NoStorageAtAll_StopsStartupNamingTheSettings()
    {
        string message = await StartupFailureAsync(new());
        Assert.Contains("Storage:ConnectionString", message);
        Assert.Contains("Storage:BlobServiceUri", message);
    }

    [Fact]
    public async Task ConnectionStringAndServiceUris_StopStartup()
    {
        string message = await StartupFailureAsync(new()
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Storage:BlobServiceUri"] = "https://a.blob.core.windows.net",
        });
        Assert.Contains("not both", message);
    }

    [Fact]
    public async Task BlobUriWithoutTableUri_StopsStartupNamingTheMissingSetting()
    {
        string message = await StartupFailureAsync(new() { ["Storage:BlobServiceUri"] = "https://a.blob.core.windows.net" });
        Assert.Contains("Storage:TableServiceUri is required", message);
    }

    [Fact]
    public async Task LocalKeyNotThirtyTwoBytes_StopsStartupWithoutEchoingTheKey()
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Crypto:LocalKey"] = "c2hvcnQ=" });
        Assert.Contains("Crypto:LocalKey must be the base64 of exactly 32", message);
        Assert.DoesNotContain("c2hvcnQ=", message);
    }

    [Fact]
    public async Task BadContainerName_StopsStartupNamingTheSetting()
    {
        string message = await StartupFailureAsync(new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["Storage:RecoveryPointsContainer"] = "Bad_Name" });
        Assert.Contains("Storage:RecoveryPointsContainer must be a blob container name", message);
    }

    [Fact]
    public void LocalKeyFileInAzure_IsRefused()
    {
        ValidateOptionsResult result = new CryptoOptionsValidator(runningInAzure: true).Validate(null, new CryptoOptions());
        Assert.Contains("Crypto:KeyProvider is Local without Crypto:LocalKey while running in Azure", result.FailureMessage);
    }

    [Fact]
    public async Task AddRecoveryPointStorage_AgainstAzurite_StoresIndexesAndReads()
    {
        string prefix = "T" + Guid.NewGuid().ToString("N")[..12];
        using IHost host = BuildHost(new()
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:RecoveryPointsContainer"] = "di-" + Guid.NewGuid().ToString("N")[..12],
            ["Storage:TablePrefix"] = prefix,
            ["Crypto:KeyProvider"] = "local",
            ["Crypto:LocalKey"] = ValidLocalKey,
        });
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IContentStore>();
        var index = host.Services.GetRequiredService<IRecoveryPointIndex>();
        Assert.IsType<LocalKeyEncryptionKey>(host.Services.GetRequiredService<IKeyEncryptionKey>());
        string tenant = NewTenant();
        byte[] data = Random(1000);

        StoredContent stored = await store.PutAsync(tenant, new MemoryStream(data));
        var at = DateTimeOffset.UtcNow;
        await index.AddAsync(new RecoveryPoint
        {
            TenantId = tenant, PointId = RecoveryPointIds.Create(AssetKind.App, "a", at), Kind = AssetKind.App, AssetId = "a", CapturedAt = at,
            ManifestRef = stored.ContentRef,
        });

        RecoveryPoint point = Assert.Single(await index.GetNewestAsync(tenant, AssetKind.App, "a"));
        Assert.Equal(data, await store.ReadAllAsync(tenant, point.ManifestRef!));
        await host.StopAsync();
    }

    [Fact]
    public async Task KeyVaultProvider_ResolvesTheKeyVaultKek()
    {
        using IHost host = BuildHost(new()
        {
            ["Storage:BlobServiceUri"] = "https://acct.blob.core.windows.net",
            ["Storage:TableServiceUri"] = "https://acct.table.core.windows.net",
            ["Crypto:KeyProvider"] = "KeyVault",
            ["Crypto:KeyVaultKeyId"] = "https://vault.vault.azure.net/keys/kek",
        });
        await host.StartAsync();

        var kek = Assert.IsType<KeyVaultKeyEncryptionKey>(host.Services.GetRequiredService<IKeyEncryptionKey>());
        Assert.Equal("https://vault.vault.azure.net/keys/kek", kek.KeyId);
        await host.StopAsync();
    }

    static IHost BuildHost(Dictionary<string, string?> settings)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRecoveryPointStorage(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Starts a host as the Functions worker does; the options validation must stop it.</summary>
    static async Task<string> StartupFailureAsync(Dictionary<string, string?> settings)
    {
        using IHost host = BuildHost(settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        return error.Message;
    }
}
