using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace QlikBackup.Cli.Api;

/// <summary>Where and how to call the API, resolved from the global options and the environment.</summary>
public sealed record ApiConnection(Uri BaseAddress, string? FunctionKey, string Operator);

/// <summary>Builds the typed client through IHttpClientFactory with the standard resilience pipeline.</summary>
public static class ApiClientFactory
{
    /// <summary>Accepts the site root or its /api path, with or without a trailing slash.</summary>
    public static bool TryNormalize(string? url, out Uri baseAddress)
    {
        baseAddress = null!;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        string path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^4];
        }

        baseAddress = new UriBuilder(uri) { Path = path + "/", Query = "", Fragment = "" }.Uri;
        return true;
    }

    public static ServiceProvider Create(ApiConnection connection, CliSettings settings)
    {
        var services = new ServiceCollection();
        services.AddHttpClient<QlikBackupApiClient>(http =>
            {
                http.BaseAddress = connection.BaseAddress;
                // The resilience pipeline owns timeouts (per attempt and in total).
                http.Timeout = Timeout.InfiniteTimeSpan;
                if (!string.IsNullOrEmpty(connection.FunctionKey))
                {
                    http.DefaultRequestHeaders.Add("x-functions-key", connection.FunctionKey);
                }

                http.DefaultRequestHeaders.Add("X-Operator", connection.Operator);
                http.DefaultRequestHeaders.UserAgent.ParseAdd($"qlikbackup-cli/{typeof(ApiClientFactory).Assembly.GetName().Version}");
            })
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.MaxRetryAttempts = settings.MaxRetries;
                o.Retry.Delay = settings.RetryDelay;
                // Starting a backup or restore twice is not harmless: only GETs are retried.
                o.Retry.DisableForUnsafeHttpMethods();
                // A cold Consumption-plan host can take tens of seconds, and planning a large restore a while longer.
                o.AttemptTimeout.Timeout = settings.AttemptTimeout;
                o.TotalRequestTimeout.Timeout = settings.AttemptTimeout * (settings.MaxRetries + 1) + TimeSpan.FromSeconds(30);
                o.CircuitBreaker.SamplingDuration = settings.AttemptTimeout * 2;
            });
        return services.BuildServiceProvider();
    }
}
