using Azure.Storage.Blobs;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Crypto;

[Collection(AzuriteCollection.Name)]
public sealed class TenantKeyringTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ConcurrentFirstUse_TwoWorkersAgreeOnOneDataKey()
    {
        BlobContainerClient container = azurite.NewContainer();
        await container.CreateAsync();
        LocalKeyEncryptionKey kek = AzuriteFixture.NewLocalKek();
        // Two keyrings with separate caches, as in two Function instances capturing a new tenant at once.
        var workers = new[] { new TenantKeyring(container, kek), new TenantKeyring(container, kek) };
        string tenant = NewTenant();

        TenantKeys[] keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => workers[i % 2].GetKeysAsync(tenant)));

        Assert.All(keys, k => Assert.Equal(keys[0].ContentKey, k.ContentKey));
        Assert.All(keys, k => Assert.Equal(keys[0].NamingKey, k.NamingKey));
        Assert.NotEqual(keys[0].ContentKey, keys[0].NamingKey);
        Assert.Equal([BlobLayout.KeyBlob(tenant)], await container.BlobNamesAsync("keys/"));
    }

    [Fact]
    public async Task KeyFile_HoldsOnlyTheWrappedKey_AndIsReusedAfterRestart()
    {
        BlobContainerClient container = azurite.NewContainer();
        LocalKeyEncryptionKey kek = AzuriteFixture.NewLocalKek();
        string tenant = NewTenant();

        TenantKeys first = await new TenantKeyring(container, kek).GetKeysAsync(tenant);
        TenantKeys afterRestart = await new TenantKeyring(container, kek).GetKeysAsync(tenant);

        Assert.Equal(first.ContentKey, afterRestart.ContentKey);
        string file = (await container.GetBlobClient(BlobLayout.KeyBlob(tenant)).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains(kek.KeyId, file);
        Assert.DoesNotContain(Convert.ToBase64String(first.ContentKey), file);
    }

    [Fact]
    public async Task DataKeyWrappedByAnotherLocalKey_FailsNamingTheSetting()
    {
        BlobContainerClient container = azurite.NewContainer();
        string tenant = NewTenant();
        await new TenantKeyring(container, AzuriteFixture.NewLocalKek()).GetKeysAsync(tenant);

        var error = await Assert.ThrowsAsync<KeyEncryptionKeyException>(
            () => new TenantKeyring(container, AzuriteFixture.NewLocalKek()).GetKeysAsync(tenant));
        Assert.Contains("Crypto:LocalKey", error.Message);
    }

    [Fact]
    public void LocalKeyFile_IsCreatedOnceOwnerOnlyAndReused()
    {
        string file = Path.Combine(Path.GetTempPath(), "qlikbackup-kek-" + Guid.NewGuid().ToString("N"), "dev-kek.key");
        try
        {
            LocalKeyEncryptionKey first = LocalKeyEncryptionKey.FromKeyFile(file);
            LocalKeyEncryptionKey second = LocalKeyEncryptionKey.FromKeyFile(file);

            Assert.Equal(first.KeyId, second.KeyId);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task LocalKek_TamperedWrap_FailsWithClearError()
    {
        LocalKeyEncryptionKey kek = AzuriteFixture.NewLocalKek();
        byte[] wrapped = await kek.WrapKeyAsync(Random(32));
        wrapped[20] ^= 1;

        var error = await Assert.ThrowsAsync<KeyEncryptionKeyException>(() => kek.UnwrapKeyAsync(wrapped, kek.KeyId));
        Assert.Contains("failed authentication", error.Message);
    }
}
