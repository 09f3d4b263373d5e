using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Drill;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.Qlik;

namespace QlikBackup.Core;

/// <summary>The composition root shared by the Function app and the local host.</summary>
public static class QlikBackupServiceCollectionExtensions
{
    public static IServiceCollection AddQlikBackup(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantContext, TenantContext>();

        services.AddQlikClient(configuration);
        services.AddQlikEngine();
        services.AddRecoveryPointStorage(configuration);
        services.AddCaptureEngine(configuration);
        services.AddRestoreEngine(configuration);

        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section));
        services.AddHttpClient<IAlertSink, LogicAppAlertSink>().AddStandardResilienceHandler();
        services.AddOptions<RpoOptions>().Bind(configuration.GetSection(RpoOptions.Section));
        services.TryAddSingleton<CaptureRunLog>();
        services.TryAddSingleton<RestoredAssets>();
        services.TryAddSingleton<RpoWatch>();
        services.TryAddSingleton<PointVerifier>();
        services.TryAddSingleton<VerifyService>();
        services.AddDrills(configuration);
        return services;
    }
}
