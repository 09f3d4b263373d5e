using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Verify;

namespace QlikBackup.Core.Restore;

public static class RestoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRestoreService"/> with its options (section "Restore"), the progress table and the audit log.
    /// Needs what <c>AddRecoveryPointStorage</c> (content store, index, Table and Blob clients) and the Qlik client
    /// (<c>AddQlikClient</c>, <c>AddQlikEngine</c>) register.
    /// </summary>
    public static IServiceCollection AddRestoreEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RestoreOptions>().Bind(configuration.GetSection(RestoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantContext, TenantContext>();
        services.TryAddSingleton<RestoreProgressStore>();
        services.TryAddSingleton<RestoreAuditLog>();
        services.TryAddSingleton<RestorePlanner>();
        services.TryAddSingleton<RestoreExecutor>();
        services.TryAddSingleton<RestorePromoter>();
        services.TryAddSingleton<RestoreDiscarder>();
        services.TryAddSingleton<RestorePlanStore>();
        services.TryAddSingleton<RestoreComparer>();
        services.TryAddSingleton<PointVerifier>();
        services.TryAddSingleton<IRestoreService, RestoreService>();
        return services;
    }
}
