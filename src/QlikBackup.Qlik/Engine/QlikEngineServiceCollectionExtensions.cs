using Microsoft.Extensions.DependencyInjection.Extensions;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;

namespace Microsoft.Extensions.DependencyInjection;

public static class QlikEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IQlikEngine"/>. It uses <see cref="QlikOptions"/> (tenant URL) and the
    /// <see cref="QlikBackup.Qlik.Auth.IQlikAccessTokenProvider"/> that <c>AddQlikClient</c> registers.
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
