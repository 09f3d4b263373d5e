using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Tests.Support;

/// <summary>
/// A local HTTPS listener implementing Key Vault's wrapkey and unwrapkey (api-version 7.4, RSA-OAEP-256, base64url values,
/// {kid, value} answers, {error:{code,message}} failures) with RSA keys it holds. It requires a Bearer token, as Key Vault does.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string Token = "static-test-token";
    const string KeyName = "kek";

    readonly WebApplication app;
    readonly X509Certificate2 certificate;
    readonly ConcurrentDictionary<string, RSA> versions = new();
    volatile string currentVersion = "";

    FakeKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        this.app = app;
        this.certificate = certificate;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The versionless key id, as an operator would configure it.</summary>
    public Uri KeyId => new(BaseUri, $"keys/{KeyName}");

    public ConcurrentQueue<(string Path, string? Authorization, JsonObject? Body)> Requests { get; } = new();

    /// <summary>When set, every operation fails with this Key Vault error.</summary>
    public (HttpStatusCode Status, string Code, string Message)? Fail { get; set; }

    public static async Task<FakeKeyVault> StartAsync()
    {
        X509Certificate2 certificate = SelfSignedLoopbackCertificate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        WebApplication app = builder.Build();
        var vault = new FakeKeyVault(app, certificate);
        vault.Rotate();
        app.Run(vault.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        vault.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        return vault;
    }

    /// <summary>Creates a new key version; wraps from now on use it, older versions still unwrap.</summary>
    public string Rotate()
    {
        string version = Guid.NewGuid().ToString("N");
        versions[version] = RSA.Create(2048);
        currentVersion = version;
        return version;
    }

    /// <summary>A client that trusts this listener's certificate and authenticates with a static token.</summary>
    public KeyVaultKeyEncryptionKey CreateClient(Uri? keyId = null) => new(
        keyId ?? KeyId,
        new StaticTokenCredential(),
        new KeyVaultKeyEncryptionKeyOptions
        {
            Transport = new HttpClientTransport(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint,
            }),
            Retry = { MaxRetries = 0 },
        });

    async Task HandleAsync(HttpContext context)
    {
        JsonObject? body = context.Request.ContentLength > 0 ? await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body) : null;
        string? authorization = context.Request.Headers.Authorization.FirstOrDefault();
        Requests.Enqueue((context.Request.Path + context.Request.QueryString, authorization, body));

        if (authorization != $"Bearer {Token}")
        {
            await ErrorAsync(context, HttpStatusCode.Unauthorized, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            return;
        }

        if (Fail is { } fail)
        {
            await ErrorAsync(context, fail.Status, fail.Code, fail.Message);
            return;
        }

        // /keys/{name}[/{version}]/{operation}
        string[] segments = context.Request.Path.Value!.Trim('/').Split('/');
        string operation = segments[^1];
        string version = segments.Length == 4 ? segments[2] : currentVersion;
        if (context.Request.Method != "POST" || segments.Length is < 3 or > 4 || segments[0] != "keys" || segments[1] != KeyName
            || operation is not ("wrapkey" or "unwrapkey"))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "NotFound", "Unknown operation.");
            return;
        }

        if (context.Request.Query["api-version"] != KeyVaultKeyEncryptionKeyOptions.ApiVersion
            || body?["alg"]?.GetValue<string>() != "RSA-OAEP-256" || body["value"]?.GetValue<string>() is not { } value)
        {
            await ErrorAsync(context, HttpStatusCode.BadRequest, "BadParameter", "Expected api-version 7.4, alg RSA-OAEP-256 and a value.");
            return;
        }

        if (!versions.TryGetValue(version, out RSA? rsa))
        {
            await ErrorAsync(context, HttpStatusCode.NotFound, "KeyNotFound", $"A key with (name/id) {KeyName}/{version} was not found in this key vault.");
            return;
        }

        byte[] input = Base64Url.DecodeFromChars(value);
        byte[] output;
        try
        {
            output = operation == "wrapkey"
                ? rsa.Encrypt(input, RSAEncryptionPadding.OaepSHA256)
                : rsa.Decrypt(input, RSAEncryptionPadding.OaepSHA256);
        }
        catch (CryptographicException)
        {
            await ErrorAsync(context, HttpStatusCode.BadRequest, "BadParameter", "Unwrap failed: the value was not wrapped by this key.");
            return;
        }

        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["kid"] = new Uri(BaseUri, $"keys/{KeyName}/{version}").AbsoluteUri,
            ["value"] = Base64Url.EncodeToString(output),
        });
    }

    static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });
    }

    static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        certificate.Dispose();
        foreach (RSA rsa in versions.Values)
        {
            rsa.Dispose();
        }
    }

    sealed class StaticTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(requestContext.Scopes.SequenceEqual([KeyVaultKeyEncryptionKeyOptions.Scope]) ? Token : "wrong-scope", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
