using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Retention;

namespace QlikBackup.Core.Capture;

public static class CaptureServiceCollectionExtensions
{
    /// <summary>
    /// Registers the capture engine (<see cref="ICaptureService"/>), the space-tier store (<see cref="ISpaceTierStore"/>), webhook
    /// intake (<see cref="IWebhookIntake"/>) and retention (<see cref="RetentionService"/>), with the "Capture", "Webhooks" and
    /// "Retention" sections validated at startup. Needs what the other registrations provide: IQlikRestClient (AddQlikClient),
    /// IQlikEngine (AddQlikEngine), IContentStore / IRecoveryPointIndex / TableServiceClient (AddRecoveryPointStorage).
    /// </summary>
    public static IServiceCollection AddCaptureEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CaptureOptions>().Bind(configuration.GetSection(CaptureOptions.Section)).ValidateOnStart();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CaptureOptions>, CaptureOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantContext, TenantContext>();
        services.TryAddSingleton<CapturedAssetCatalog>();
        services.TryAddSingleton<ISpaceTierStore, TableSpaceTierStore>();
        services.TryAddSingleton<ICaptureService, CaptureService>();
        services.TryAddSingleton<WebhookEventLog>();
        services.TryAddSingleton<IWebhookIntake, WebhookIntake>();
        services.TryAddSingleton<RetentionService>();
        return services;
    }
}
