using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace QlikBackup.Core.Crypto;

/// <summary>Pipeline options (retries, transport, diagnostics) of <see cref="KeyVaultKeyEncryptionKey"/>.</summary>
public sealed class KeyVaultKeyEncryptionKeyOptions : ClientOptions
{
    public const string ApiVersion = "7.4";
    public const string Scope = "https://vault.azure.net/.default";
}

/// <summary>
/// Key-encryption key in Azure Key Vault: wraps data keys with the REST operations wrapkey/unwrapkey (RSA-OAEP-256),
/// on an Azure.Core pipeline with a bearer token from an Azure.Identity credential. The key never leaves the vault.
/// </summary>
public sealed class KeyVaultKeyEncryptionKey : IKeyEncryptionKey
{
    const string Algorithm = "RSA-OAEP-256";

    readonly Uri keyId;
    readonly HttpPipeline pipeline;

    /// <param name="keyId">https://{vault}/keys/{name}[/{version}]; without a version Key Vault wraps with the newest one.</param>
    public KeyVaultKeyEncryptionKey(Uri keyId, TokenCredential credential, KeyVaultKeyEncryptionKeyOptions? options = null)
    {
        string? problem = DescribeInvalidKeyId(keyId.OriginalString);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(keyId));
        }

        this.keyId = new Uri(keyId.OriginalString.TrimEnd('/'));
        pipeline = HttpPipelineBuilder.Build(
            options ?? new KeyVaultKeyEncryptionKeyOptions(),
            new BearerTokenAuthenticationPolicy(credential, KeyVaultKeyEncryptionKeyOptions.Scope));
    }

    public string KeyId => keyId.AbsoluteUri;

    /// <summary>Null when <paramref name="keyId"/> is an https Key Vault key URI; otherwise what is wrong with it.</summary>
    public static string? DescribeInvalidKeyId(string? keyId)
    {
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"'{keyId}' is not an https URI of a Key Vault key (https://{{vault}}.vault.azure.net/keys/{{name}}[/{{version}}]).";
        }

        string[] segments = uri.AbsolutePath.Trim('/').Split('/');
        return segments.Length is 2 or 3 && segments[0] == "keys" && segments.Skip(1).All(s => s.Length > 0) && uri.Query.Length == 0
            ? null
            : $"'{keyId}' is not a Key Vault key URI: its path must be /keys/{{name}} or /keys/{{name}}/{{version}}.";
    }

    public async Task<byte[]> WrapKeyAsync(byte[] dataKey, CancellationToken ct = default) => (await WrapAsync(dataKey, ct)).WrappedKey;

    public async Task<WrappedDataKey> WrapAsync(byte[] dataKey, CancellationToken ct = default)
    {
        KeyOperationResult result = await SendAsync(keyId, "wrapkey", dataKey, ct);
        return new WrappedDataKey(result.Value, result.Kid);
    }

    public async Task<byte[]> UnwrapKeyAsync(byte[] wrappedKey, string keyId, CancellationToken ct = default)
    {
        // The key id comes from storage: never send our token to a host or key other than the configured one.
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out Uri? stored) || DescribeInvalidKeyId(keyId) is not null
            || Uri.Compare(stored, this.keyId, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0
            || !SameKeyName(stored, this.keyId))
        {
            throw new KeyEncryptionKeyException(
                $"The data key was wrapped by '{keyId}', which is not a version of the configured key '{KeyId}' (Crypto:KeyVaultKeyId).");
        }

        return (await SendAsync(stored, "unwrapkey", wrappedKey, ct)).Value;
    }

    static bool SameKeyName(Uri a, Uri b) =>
        string.Equals(a.AbsolutePath.Trim('/').Split('/')[1], b.AbsolutePath.Trim('/').Split('/')[1], StringComparison.OrdinalIgnoreCase);

    async Task<KeyOperationResult> SendAsync(Uri key, string operation, byte[] value, CancellationToken ct)
    {
        using HttpMessage message = pipeline.CreateMessage();
        Request request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri($"{key.AbsoluteUri.TrimEnd('/')}/{operation}?api-version={KeyVaultKeyEncryptionKeyOptions.ApiVersion}"));
        request.Headers.Add(HttpHeader.Common.JsonContentType);
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(
            new KeyOperationRequest(Algorithm, Base64Url.EncodeToString(value)), KeyVaultJson.Default.KeyOperationRequest));

        try
        {
            await pipeline.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Transport failures and credential failures (no managed identity, no login) alike.
            throw new KeyEncryptionKeyException($"Key Vault {operation} on '{key}' could not be sent: {ex.Message}", ex);
        }

        Response response = message.Response;
        if (response.IsError)
        {
            throw new KeyEncryptionKeyException($"Key Vault refused {operation} on '{key}': {DescribeError(response)}");
        }

        try
        {
            KeyOperationResponse? body = JsonSerializer.Deserialize(response.Content.ToMemory().Span, KeyVaultJson.Default.KeyOperationResponse);
            if (body?.Value is null || body.Kid is null)
            {
                throw new KeyEncryptionKeyException($"Key Vault {operation} on '{key}' answered without 'kid' and 'value'.");
            }

            return new KeyOperationResult(body.Kid, Base64Url.DecodeFromChars(body.Value));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new KeyEncryptionKeyException($"Key Vault {operation} on '{key}' answered with a body that is not a key operation result.", ex);
        }
    }

    /// <summary>Key Vault errors are {"error":{"code","message"}}; anything else is reported by status alone.</summary>
    static string DescribeError(Response response)
    {
        string status = $"HTTP {response.Status} {response.ReasonPhrase}".TrimEnd();
        try
        {
            KeyVaultErrorBody? body = JsonSerializer.Deserialize(response.Content.ToMemory().Span, KeyVaultJson.Default.KeyVaultErrorBody);
            if (body?.Error is { } error)
            {
                return $"{error.Code}: {error.Message} ({status})";
            }
        }
        catch (JsonException)
        {
        }

        return status;
    }

    sealed record KeyOperationResult(string Kid, byte[] Value);
}

sealed record KeyOperationRequest([property: JsonPropertyName("alg")] string Alg, [property: JsonPropertyName("value")] string Value);

sealed record KeyOperationResponse([property: JsonPropertyName("kid")] string? Kid, [property: JsonPropertyName("value")] string? Value);

sealed record KeyVaultErrorBody([property: JsonPropertyName("error")] KeyVaultError? Error);

sealed record KeyVaultError([property: JsonPropertyName("code")] string? Code, [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(KeyOperationRequest))]
[JsonSerializable(typeof(KeyOperationResponse))]
[JsonSerializable(typeof(KeyVaultErrorBody))]
partial class KeyVaultJson : JsonSerializerContext;
