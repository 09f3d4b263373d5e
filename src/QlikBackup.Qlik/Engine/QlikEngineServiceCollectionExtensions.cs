using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Engine;

public static class QlikEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IQlikEngine"/>. It uses <see cref="QlikOptions"/> (tenant URL) and the
    /// <see cref="Auth.IQlikAccessTokenProvider"/> that the REST client registration adds.
    /// </summary>
    public static IServiceCollection AddQlikEngine(this IServiceCollection services, Action<QlikEngineOptions>? configure = null)
    {
        var options = services.AddOptions<QlikEngineOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddLogging();
        services.TryAddSingleton<IQlikEngine, QlikEngine>();
        return services;
    }
}
