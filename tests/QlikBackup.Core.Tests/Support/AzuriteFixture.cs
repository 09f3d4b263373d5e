using Azure.Data.Tables;
using Azure.Storage.Blobs;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices.Azurite;

namespace QlikBackup.Core.Tests.Support;

/// <summary>One real Azurite for every storage test of the assembly; each test works in its own container or tables.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    AzuriteServer? server;

    public string ConnectionString { get; private set; } = "";

    public BlobServiceClient Blobs { get; private set; } = null!;

    public TableServiceClient Tables { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var started = DateTime.UtcNow;
        server = await AzuriteServer.StartAsync();
        StartupTime = DateTime.UtcNow - started;
        ConnectionString = server.ConnectionString;
        Blobs = new BlobServiceClient(ConnectionString);
        Tables = new TableServiceClient(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    public TimeSpan StartupTime { get; private set; }

    /// <summary>A container no other test uses, so blob counts are exact.</summary>
    public BlobContainerClient NewContainer() => Blobs.GetBlobContainerClient("rp-" + Guid.NewGuid().ToString("N"));

    /// <summary>Chunk size of <see cref="NewStore"/> unless a test asks for the real one: multi-chunk without megabytes.</summary>
    public const int SmallChunk = 64 * 1024;

    /// <summary>A keyring and store over a fresh container with a random local key-encryption key.</summary>
    public (BlobContentStore Store, BlobContainerClient Container) NewStore(IKeyEncryptionKey? kek = null, int chunkSize = SmallChunk)
    {
        BlobContainerClient container = NewContainer();
        var keyring = new TenantKeyring(container, kek ?? NewLocalKek());
        return (new BlobContentStore(container, keyring, maxParallelUploads: 4, chunkSize), container);
    }

    /// <summary>
    /// A store whose every blob request is counted, over a fresh container with its own keyring. The container is created and
    /// the tenant's key written before it is returned, so counts start at the content requests.
    /// </summary>
    public async Task<(BlobContentStore Store, BlobContainerClient Container, BlobRequestCounter Requests)> NewCountedStoreAsync(
        string tenantId, PackSettings? packs = null, TimeProvider? clock = null, LocalKeyEncryptionKey? kek = null, string? containerName = null)
    {
        var requests = new BlobRequestCounter();
        var options = new BlobClientOptions();
        options.AddPolicy(requests, Azure.Core.HttpPipelinePosition.PerRetry);
        BlobContainerClient container = new BlobServiceClient(ConnectionString, options)
            .GetBlobContainerClient(containerName ?? "rp-" + Guid.NewGuid().ToString("N"));
        await container.CreateIfNotExistsAsync();
        var keyring = new TenantKeyring(container, kek ?? NewLocalKek());
        await keyring.GetKeysAsync(tenantId);
        var store = new BlobContentStore(container, keyring, maxParallelUploads: 4, SmallChunk, packs, clock);
        await store.PutManyAsync(tenantId, []); // the store's own one-time container check
        requests.Reset();
        return (store, container, requests);
    }

    public static LocalKeyEncryptionKey NewLocalKek() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
