using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using QlikBackup.Qlik.Auth;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Engine;

/// <summary>
/// Opens Engine (QIX) sessions on <c>wss://TENANT/app/{appId}</c> with the tenant's bearer token, or with an OAuth
/// impersonation token when <see cref="EngineSessionOptions.ImpersonateUserId"/> is set (the only way to reach that
/// user's private objects).
/// </summary>
public sealed class QlikEngine(
    IOptionsMonitor<QlikOptions> qlikOptions,
    IOptions<QlikEngineOptions> engineOptions,
    IQlikAccessTokenProvider tokens,
    ILoggerFactory loggerFactory) : IQlikEngine
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<QlikEngine>();
    private readonly ResiliencePipeline _connectPipeline = BuildConnectPipeline(engineOptions.Value, loggerFactory.CreateLogger<QlikEngine>());

    public async Task<IEngineAppSession> OpenAppAsync(string appId, EngineSessionOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        var session = new EngineAppSession(this, appId, options ?? new EngineSessionOptions(), loggerFactory.CreateLogger<EngineAppSession>());
        try
        {
            await session.OpenAsync(ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal QlikEngineOptions Options => engineOptions.Value;

    /// <summary>ws(s)://host[/base]/app/{appId}: the tenant URL's scheme mapped to its WebSocket twin.</summary>
    internal Uri AppUri(string appId)
    {
        var tenant = qlikOptions.CurrentValue.TenantUrl ?? throw new InvalidOperationException("Qlik:TenantUrl is not configured.");
        var baseUri = tenant.AbsoluteUri.EndsWith('/') ? tenant : new Uri(tenant.AbsoluteUri + "/");
        var builder = new UriBuilder(new Uri(baseUri, "app/" + Uri.EscapeDataString(appId)))
        {
            Scheme = tenant.Scheme == Uri.UriSchemeHttp ? "ws" : "wss",
        };
        return builder.Uri;
    }

    /// <summary>
    /// Connects, renewing the token once if the upgrade is refused with 401 (expired or revoked token), and retrying
    /// upgrades refused with 429 (after Retry-After) or 5xx, or broken by the network, with jittered backoff.
    /// </summary>
    internal async Task<EngineRpcConnection> ConnectAsync(string appId, string? impersonateUserId, Action<IReadOnlyList<int>> handlesClosed, CancellationToken ct)
    {
        var uri = AppUri(appId);
        return await _connectPipeline.ExecuteAsync(async token =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var bearer = await tokens.GetTokenAsync(impersonateUserId, token).ConfigureAwait(false);
                try
                {
                    return await EngineRpcConnection.ConnectAsync(uri, bearer, Options, _logger, handlesClosed, token).ConfigureAwait(false);
                }
                catch (QlikEngineException e) when (e.Code == 401 && attempt == 1)
                {
                    tokens.Invalidate(impersonateUserId);
                }
            }
        }, ct).ConfigureAwait(false);
    }

    private static ResiliencePipeline BuildConnectPipeline(QlikEngineOptions options, ILogger logger)
    {
        if (options.ConnectRetryAttempts <= 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.ConnectRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ConnectRetryDelay,
                ShouldHandle = new PredicateBuilder().Handle<QlikEngineException>(e =>
                    e is QlikEngineConnectionLostException || e.Code == 429 || e.Code is >= 500 and <= 599),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is QlikEngineException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
                OnRetry = args =>
                {
                    logger.LogWarning("Engine WebSocket upgrade failed ({Reason}); retry {Attempt}", args.Outcome.Exception?.Message, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
