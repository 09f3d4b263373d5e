using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Auth;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Rest;

namespace Microsoft.Extensions.DependencyInjection;

public static class QlikClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IQlikRestClient"/> (typed HttpClient) and <see cref="IQlikAccessTokenProvider"/> for the tenant
    /// configured in the "Qlik" section, validated at startup. Every request passes the Qlik resilience pipeline
    /// (concurrency limit, retry honouring Retry-After, per-attempt timeout) and then the Bearer auth handler.
    /// Returns the REST client's builder so hosts/tests can add handlers.
    /// </summary>
    public static IHttpClientBuilder AddQlikClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<QlikOptions>()
            .Bind(configuration.GetSection(QlikOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QlikOptions>, QlikOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IQlikAccessTokenProvider, QlikAccessTokenProvider>();
        services.TryAddTransient<QlikAuthenticationHandler>();

        // Token requests: same resilience, no auth handler (the body carries the client credentials).
        ConfigureTenantClient(services.AddHttpClient(QlikHttpClientNames.OAuth));

        var rest = services.AddHttpClient<IQlikRestClient, QlikRestClient>(QlikHttpClientNames.Rest);
        ConfigureTenantClient(rest);
        // Added after the resilience handler, so it runs inside it: each retry attempt gets a current token.
        rest.AddHttpMessageHandler<QlikAuthenticationHandler>();
        return rest;
    }

    private static void ConfigureTenantClient(IHttpClientBuilder builder)
    {
        builder.ConfigureHttpClient((sp, client) =>
        {
            var options = sp.GetRequiredService<IOptions<QlikOptions>>().Value;
            client.BaseAddress = QlikRestClient.QlikClientBase(options.TenantUrl!);
            // Timeouts are per attempt in the pipeline; HttpClient's own 100 s limit would cut QVF uploads short.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.AddResilienceHandler(builder.Name, (pipeline, context) =>
        {
            context.EnableReloads<QlikOptions>();
            // Retry-After waits and attempt timeouts run on the app's clock, so a test can drive them exactly.
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            QlikResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptionsMonitor<QlikOptions>>().CurrentValue);
        });
    }
}
