using System.Net;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Crypto;

/// <summary>One listener for the class (RSA key generation is slow); each test starts from a clean request log.</summary>
public sealed class FakeKeyVaultFixture : IAsyncLifetime
{
    public FakeKeyVault Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await Vault.DisposeAsync();
}

[Collection(AzuriteCollection.Name)]
public sealed class KeyVaultKeyEncryptionKeyTests : IClassFixture<FakeKeyVaultFixture>
{
    readonly AzuriteFixture azurite;
    readonly FakeKeyVault vault;

    public KeyVaultKeyEncryptionKeyTests(AzuriteFixture azurite, FakeKeyVaultFixture fixture)
    {
        this.azurite = azurite;
        vault = fixture.Vault;
        vault.Fail = null;
        vault.Requests.Clear();
    }

    [Fact]
    public async Task WrapUnwrap_RoundTrip_AgainstLocalListener()
    {
        KeyVaultKeyEncryptionKey kek = vault.CreateClient();
        byte[] dataKey = Random(32);

        WrappedDataKey wrapped = await ((IKeyEncryptionKey)kek).WrapAsync(dataKey);
        byte[] unwrapped = await kek.UnwrapKeyAsync(wrapped.WrappedKey, wrapped.KeyId);

        Assert.Equal(dataKey, unwrapped);
        Assert.NotEqual(dataKey, wrapped.WrappedKey);
        Assert.Equal(256, wrapped.WrappedKey.Length); // RSA-2048 OAEP output
        Assert.StartsWith(kek.KeyId + "/", wrapped.KeyId); // the versioned kid Key Vault answered with
        Assert.Collection(vault.Requests,
            r =>
            {
                Assert.Equal("/keys/kek/wrapkey?api-version=7.4", r.Path);
                Assert.Equal($"Bearer {FakeKeyVault.Token}", r.Authorization);
                Assert.Equal("RSA-OAEP-256", r.Body!["alg"]!.GetValue<string>());
            },
            r => Assert.Equal(new Uri(wrapped.KeyId).AbsolutePath + "/unwrapkey?api-version=7.4", r.Path));
    }

    [Fact]
    public async Task Unwrap_AfterKeyRotation_UsesTheVersionThatWrapped()
    {
        KeyVaultKeyEncryptionKey kek = vault.CreateClient();
        byte[] dataKey = Random(32);
        WrappedDataKey before = await ((IKeyEncryptionKey)kek).WrapAsync(dataKey);

        vault.Rotate();
        WrappedDataKey after = await ((IKeyEncryptionKey)kek).WrapAsync(dataKey);

        Assert.NotEqual(before.KeyId, after.KeyId);
        Assert.Equal(dataKey, await kek.UnwrapKeyAsync(before.WrappedKey, before.KeyId));
        Assert.Equal(dataKey, await kek.UnwrapKeyAsync(after.WrappedKey, after.KeyId));
    }

    [Fact]
    public async Task KeyVaultError_BecomesClearException()
    {
        KeyVaultKeyEncryptionKey kek = vault.CreateClient();
        vault.Fail = (HttpStatusCode.Forbidden, "Forbidden", "The user, group or application does not have keys wrapKey permission.");

        var error = await Assert.ThrowsAsync<KeyEncryptionKeyException>(() => kek.WrapKeyAsync(Random(32)));

        Assert.Contains("Key Vault refused wrapkey", error.Message);
        Assert.Contains("Forbidden: The user, group or application does not have keys wrapKey permission. (HTTP 403", error.Message);
    }

    [Fact]
    public async Task UnwrapWithKeyIdOfAnotherVault_IsRefusedBeforeAnyRequest()
    {
        KeyVaultKeyEncryptionKey kek = vault.CreateClient();

        var error = await Assert.ThrowsAsync<KeyEncryptionKeyException>(
            () => kek.UnwrapKeyAsync(Random(256), "https://attacker.example/keys/kek/1"));

        Assert.Contains("Crypto:KeyVaultKeyId", error.Message);
        Assert.Empty(vault.Requests); // the bearer token never left for the other host
    }

    [Fact]
    public async Task ContentStore_WithKeyVaultKek_RoundTripsThroughTenantKeyring()
    {
        (BlobContentStore store, _) = azurite.NewStore(vault.CreateClient());
        string tenant = NewTenant();
        byte[] data = Random(100_000);

        StoredContent stored = await store.PutAsync(tenant, new MemoryStream(data));

        Assert.Equal(data, await store.ReadAllAsync(tenant, stored.ContentRef));
        Assert.Contains(vault.Requests, r => r.Path.Contains("/wrapkey", StringComparison.Ordinal));
    }
}
