using Azure.Data.Tables;
using Azure.Storage.Blobs;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices.Azurite;

namespace QlikBackup.Core.Tests.Support;

/// <summary>One real Azurite for every storage test of the assembly; each test works in its own container or tables.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // On disk in a temp folder, deleted afterwards: AzuriteServer's in-memory mode also passes --location, which Azurite 3.37 rejects.
    readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "qlikbackup-core-tests-" + Guid.NewGuid().ToString("N"));
    AzuriteServer? server;

    public string ConnectionString { get; private set; } = "";

    public BlobServiceClient Blobs { get; private set; } = null!;

    public TableServiceClient Tables { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var started = DateTime.UtcNow;
        server = await AzuriteServer.StartAsync(dataDirectory);
        StartupTime = DateTime.UtcNow - started;
        ConnectionString = WithWellKnownKey(server.ConnectionString);
        Blobs = new BlobServiceClient(ConnectionString);
        Tables = new TableServiceClient(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public TimeSpan StartupTime { get; private set; }

    /// <summary>
    /// Azurite's published development key (not a secret). AzuriteServer currently emits a mistyped key that the SDK's
    /// connection-string parser rejects; until that is fixed there, use the real one.
    /// </summary>
    static string WithWellKnownKey(string connectionString) => System.Text.RegularExpressions.Regex.Replace(
        connectionString,
        "AccountKey=[^;]*",
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==");

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

    public static LocalKeyEncryptionKey NewLocalKek() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
