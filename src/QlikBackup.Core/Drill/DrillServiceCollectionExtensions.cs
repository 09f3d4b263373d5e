using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Fidelity;

namespace QlikBackup.Core.Drill;

public static class DrillServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDrillService"/>, <see cref="FidelityCheck"/>, the report store and drill alerts with their options
    /// (sections "Drill", "Drill:Standby" and "Rto", validated on start), and the standby tenant's clients. Needs the capture and restore engines, storage and an <c>IAlertSink</c>.
    /// </summary>
    public static IServiceCollection AddDrills(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DrillOptions>().Bind(configuration.GetSection(DrillOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RtoOptions>().Bind(configuration.GetSection(RtoOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RtoOptions>, RtoOptionsValidator>());
        services.TryAddSingleton<FidelityCheck>();
        services.TryAddSingleton<DrillReportStore>();
        services.TryAddSingleton<DrillAlerts>();
        services.AddOptions<StandbyOptions>().Bind(configuration.GetSection(StandbyOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StandbyOptions>, StandbyOptionsValidator>());
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<StandbyTenant>(sp, configuration));
        services.TryAddSingleton<IDrillService, DrillService>();
        return services;
    }
}
