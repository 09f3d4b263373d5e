using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Rest;

namespace QlikBackup.Core.Drill;

/// <summary>
/// The standby tenant a whole-tenant drill rebuilds the production tenant into (section "Drill:Standby"). Optional: without
/// <see cref="TenantUrl"/> a Tenant drill is refused. Credentials mirror the production ones ("Qlik"): an API key of a
/// TenantAdmin, or an OAuth M2M client (needed to create private objects as their owners).
/// </summary>
public sealed class StandbyOptions
{
    public const string Section = "Drill:Standby";

    public Uri? TenantUrl { get; set; }
    public string? ApiKey { get; set; }
    public string? OAuthClientId { get; set; }
    public string? OAuthClientSecret { get; set; }

    /// <summary>Any standby setting given: then all of them are checked, so a half-configured standby stops the start, naming what is missing.</summary>
    public bool Configured => TenantUrl is not null || !string.IsNullOrWhiteSpace(ApiKey) || !string.IsNullOrWhiteSpace(OAuthClientId) || !string.IsNullOrWhiteSpace(OAuthClientSecret);

    /// <summary>The standby's client settings: the production client's tuning (paging, retries, timeouts), the standby's address and credentials.</summary>
    public QlikOptions ToQlikOptions(QlikOptions production) => new()
    {
        TenantUrl = TenantUrl, ApiKey = ApiKey, OAuthClientId = OAuthClientId, OAuthClientSecret = OAuthClientSecret,
        MaxConcurrentRequests = production.MaxConcurrentRequests, OAuthScope = production.OAuthScope, ImpersonationScope = production.ImpersonationScope,
        PageSize = production.PageSize, MaxRetryAttempts = production.MaxRetryAttempts, RetryBaseDelay = production.RetryBaseDelay,
        RetryMaxDelay = production.RetryMaxDelay, RequestTimeout = production.RequestTimeout, ExportPollInterval = production.ExportPollInterval,
        ExportReadyTimeout = production.ExportReadyTimeout, DownloadResumeAttempts = production.DownloadResumeAttempts, TokenRefreshMargin = production.TokenRefreshMargin,
    };
}

/// <summary>The standby settings are checked like the production ones (messages name Drill:Standby:...), and never name the production tenant.</summary>
public sealed class StandbyOptionsValidator(IOptions<QlikOptions> production) : IValidateOptions<StandbyOptions>
{
    public ValidateOptionsResult Validate(string? name, StandbyOptions o)
    {
        if (!o.Configured) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        var result = new QlikOptionsValidator().Validate(name, o.ToQlikOptions(new QlikOptions()));
        if (result.Failed)
            failures.AddRange(result.Failures.Select(f => f.Replace($"{QlikOptions.Section}:", $"{StandbyOptions.Section}:", StringComparison.Ordinal)));
        // A drill never writes to production: the standby must be another tenant.
        if (o.TenantUrl is { IsAbsoluteUri: true } standby && production.Value.TenantUrl is { IsAbsoluteUri: true } prod
            && string.Equals(standby.Authority, prod.Authority, StringComparison.OrdinalIgnoreCase))
            failures.Add($"{StandbyOptions.Section}:TenantUrl must name another tenant than {QlikOptions.Section}:TenantUrl ({prod.Authority}): a drill never writes to production.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
