using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>
/// Startup validation of the "Qlik" section. Each problem is reported once, by its configuration key
/// (e.g. "Qlik:TenantUrl"), so a misconfigured deployment fails at start with a message that says what to set.
/// </summary>
public sealed class QlikOptionsValidator : IValidateOptions<QlikOptions>
{
    private static string Key(string member) => $"{QlikOptions.Section}:{member}";

    public ValidateOptionsResult Validate(string? name, QlikOptions o)
    {
        var failures = new List<string>();

        if (o.TenantUrl is null || string.IsNullOrWhiteSpace(o.TenantUrl.OriginalString))
            failures.Add($"{Key(nameof(o.TenantUrl))} is required: the tenant address, e.g. https://TENANT.REGION.qlikcloud.com.");
        else if (!o.TenantUrl.IsAbsoluteUri || (o.TenantUrl.Scheme != Uri.UriSchemeHttps && o.TenantUrl.Scheme != Uri.UriSchemeHttp))
            failures.Add($"{Key(nameof(o.TenantUrl))} must be an absolute https:// address (got '{o.TenantUrl.OriginalString}').");
        else if (o.TenantUrl.Scheme == Uri.UriSchemeHttp && !o.TenantUrl.IsLoopback)
            // Credentials travel in the Authorization header: plain http is only acceptable to a local simulator.
            failures.Add($"{Key(nameof(o.TenantUrl))} must use https (http is only accepted for a loopback simulator).");

        var hasKey = !string.IsNullOrWhiteSpace(o.ApiKey);
        var hasId = !string.IsNullOrWhiteSpace(o.OAuthClientId);
        var hasSecret = !string.IsNullOrWhiteSpace(o.OAuthClientSecret);
        if (hasId != hasSecret)
            failures.Add($"{Key(hasId ? nameof(o.OAuthClientSecret) : nameof(o.OAuthClientId))} is required when {Key(hasId ? nameof(o.OAuthClientId) : nameof(o.OAuthClientSecret))} is set.");
        else if (!hasKey && !hasId)
            failures.Add($"Credentials are required: set {Key(nameof(o.ApiKey))}, or both {Key(nameof(o.OAuthClientId))} and {Key(nameof(o.OAuthClientSecret))}.");

        if (o.MaxConcurrentRequests is < 1 or > 64)
            failures.Add($"{Key(nameof(o.MaxConcurrentRequests))} must be between 1 and 64 (got {o.MaxConcurrentRequests}).");
        if (o.PageSize < 1)
            failures.Add($"{Key(nameof(o.PageSize))} must be at least 1.");
        if (o.MaxRetryAttempts < 0)
            failures.Add($"{Key(nameof(o.MaxRetryAttempts))} must not be negative.");
        if (o.RequestTimeout <= TimeSpan.Zero)
            failures.Add($"{Key(nameof(o.RequestTimeout))} must be positive.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
