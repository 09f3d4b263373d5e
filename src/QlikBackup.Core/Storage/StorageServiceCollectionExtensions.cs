using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the encrypted content store, the recovery point index, the tenant keyring and the key-encryption key from
    /// the "Storage" and "Crypto" sections, validated at startup (a bad setting stops the host with a message naming it).
    /// Blob and Table clients come from Microsoft.Extensions.Azure: from Storage:ConnectionString, or from the service URIs
    /// with the registered <see cref="TokenCredential"/> (DefaultAzureCredential unless one is registered first).
    /// </summary>
    public static IServiceCollection AddRecoveryPointStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CryptoOptions>().Bind(configuration.GetSection(CryptoOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CryptoOptions>, CryptoOptionsValidator>());
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());

        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, sp) =>
            {
                StorageOptions storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
                return storage.UsesConnectionString
                    ? new BlobServiceClient(storage.ConnectionString, options)
                    : new BlobServiceClient(new Uri(storage.BlobServiceUri!), credential, options);
            });
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
            {
                StorageOptions storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
                return storage.UsesConnectionString
                    ? new TableServiceClient(storage.ConnectionString, options)
                    : new TableServiceClient(new Uri(storage.TableServiceUri!), credential, options);
            });
        });

        services.TryAddSingleton<IKeyEncryptionKey>(sp =>
        {
            CryptoOptions crypto = sp.GetRequiredService<IOptions<CryptoOptions>>().Value;
            if (crypto.IsKeyVault)
            {
                return new KeyVaultKeyEncryptionKey(new Uri(crypto.KeyVaultKeyId!), sp.GetRequiredService<TokenCredential>());
            }

            return LocalKeyEncryptionKey.TryDecodeKey(crypto.LocalKey) is { } key
                ? new LocalKeyEncryptionKey(key)
                : LocalKeyEncryptionKey.FromKeyFile(string.IsNullOrWhiteSpace(crypto.LocalKeyFile) ? CryptoOptions.DefaultLocalKeyFile : crypto.LocalKeyFile);
        });
        services.TryAddSingleton<ITenantKeyring>(sp => new TenantKeyring(
            Container(sp), sp.GetRequiredService<IKeyEncryptionKey>(), sp.GetService<ILogger<TenantKeyring>>()));
        services.TryAddSingleton<IContentStore>(sp =>
        {
            StorageOptions storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new BlobContentStore(Container(sp), sp.GetRequiredService<ITenantKeyring>(), storage.MaxParallelUploads, storage.ToPackSettings());
        });
        services.TryAddSingleton(sp => new StorageTables(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>()));
        services.TryAddSingleton<IRecoveryPointIndex>(sp => new TableRecoveryPointIndex(sp.GetRequiredService<StorageTables>()));
        return services;
    }

    static BlobContainerClient Container(IServiceProvider sp) => sp.GetRequiredService<BlobServiceClient>()
        .GetBlobContainerClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.RecoveryPointsContainer);
}
