using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Rest;

namespace QlikBackup.Qlik.Auth;

/// <summary>
/// API key or OAuth2 client credentials / user impersonation against <c>POST /oauth/token</c> (JSON body, as Qlik's
/// OpenAPI defines it). One cached token per identity; concurrent callers share one token request.
/// </summary>
public sealed class QlikAccessTokenProvider : IQlikAccessTokenProvider
{
    private const string ClientKey = "\0client";
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<QlikOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QlikAccessTokenProvider> _logger;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    public QlikAccessTokenProvider(
        IHttpClientFactory httpClientFactory, IOptionsMonitor<QlikOptions> options, TimeProvider time, ILogger<QlikAccessTokenProvider> logger)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public bool CanImpersonate => HasOAuthClient(_options.CurrentValue);

    public async ValueTask<string> GetTokenAsync(string? impersonateUserId = null, CancellationToken ct = default)
    {
        var options = _options.CurrentValue;
        if (impersonateUserId is null && !string.IsNullOrEmpty(options.ApiKey))
            return options.ApiKey;
        if (!HasOAuthClient(options))
            throw new InvalidOperationException(impersonateUserId is null
                ? "Qlik:ApiKey or the pair Qlik:OAuthClientId/Qlik:OAuthClientSecret must be configured."
                : $"Opening a session as user '{impersonateUserId}' needs an OAuth client allowed to impersonate (Qlik:OAuthClientId/Qlik:OAuthClientSecret); an API key cannot impersonate.");

        var key = impersonateUserId ?? ClientKey;
        if (TryGetFresh(key, options, out var token)) return token;

        var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another caller may have fetched it while we waited.
            if (TryGetFresh(key, options, out token)) return token;
            var fetched = await RequestTokenAsync(options, impersonateUserId, ct).ConfigureAwait(false);
            _tokens[key] = fetched;
            return fetched.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Invalidate(string? impersonateUserId = null) => _tokens.TryRemove(impersonateUserId ?? ClientKey, out _);

    private bool TryGetFresh(string key, QlikOptions options, out string token)
    {
        if (_tokens.TryGetValue(key, out var cached) && _time.GetUtcNow() < cached.ExpiresAt - options.TokenRefreshMargin)
        {
            token = cached.AccessToken;
            return true;
        }
        token = "";
        return false;
    }

    private async Task<CachedToken> RequestTokenAsync(QlikOptions options, string? impersonateUserId, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["client_id"] = options.OAuthClientId,
            ["client_secret"] = options.OAuthClientSecret,
        };
        string? scope;
        if (impersonateUserId is null)
        {
            body["grant_type"] = "client_credentials";
            scope = options.OAuthScope;
        }
        else
        {
            body["grant_type"] = "urn:qlik:oauth:user-impersonation";
            body["user_lookup"] = new JsonObject { ["field"] = "userId", ["value"] = impersonateUserId };
            scope = options.ImpersonationScope;
        }
        if (!string.IsNullOrWhiteSpace(scope)) body["scope"] = scope;

        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token") { Content = JsonContent.Create(body) };
        // Asking for a token changes nothing on the tenant, so 5xx and network errors may be retried like a GET.
        request.Options.Set(QlikRequestOptions.SafeToRetry, true);
        var client = _httpClientFactory.CreateClient(QlikHttpClientNames.OAuth);
        using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);

        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
        var root = doc.RootElement;
        var accessToken = root.TryGetProperty("access_token", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
        if (string.IsNullOrEmpty(accessToken))
            throw new QlikApiException((int)response.StatusCode, [new QlikError("OAUTH-TOKEN", "Token response has no access_token", null, (int)response.StatusCode)]);

        var expiresAt = ReadExpiry(root);
        _logger.LogDebug("Obtained Qlik OAuth token ({Kind}) valid until {ExpiresAt}", impersonateUserId is null ? "client" : "impersonation", expiresAt);
        return new CachedToken(accessToken, expiresAt);
    }

    /// <summary>Qlik answers <c>expires_at</c> (a timestamp); standard OAuth servers answer <c>expires_in</c> (seconds).</summary>
    private DateTimeOffset ReadExpiry(JsonElement root)
    {
        if (root.TryGetProperty("expires_at", out var ea))
        {
            if (ea.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(ea.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at;
            if (ea.ValueKind == JsonValueKind.Number && ea.TryGetInt64(out var epoch))
                return DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        if (root.TryGetProperty("expires_in", out var ei) && ei.ValueKind == JsonValueKind.Number && ei.TryGetInt64(out var seconds))
            return _time.GetUtcNow().AddSeconds(seconds);
        // No lifetime given: keep it briefly rather than forever.
        return _time.GetUtcNow().AddMinutes(5);
    }

    private static bool HasOAuthClient(QlikOptions o) => !string.IsNullOrEmpty(o.OAuthClientId) && !string.IsNullOrEmpty(o.OAuthClientSecret);

    private sealed record CachedToken(string AccessToken, DateTimeOffset ExpiresAt);
}
