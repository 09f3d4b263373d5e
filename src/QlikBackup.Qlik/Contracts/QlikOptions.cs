using System.ComponentModel.DataAnnotations;

namespace QlikBackup.Qlik.Contracts;

/// <summary>Connection to one Qlik Cloud tenant. Bound from the "Qlik" configuration section.</summary>
public sealed class QlikOptions
{
    public const string Section = "Qlik";

    /// <summary>https://TENANT.REGION.qlikcloud.com (or the simulator's loopback URL).</summary>
    [Required]
    public Uri? TenantUrl { get; set; }

    /// <summary>API key of a TenantAdmin (Bearer). Either this or the OAuth client pair is required.</summary>
    public string? ApiKey { get; set; }

    /// <summary>OAuth M2M client; needed for impersonation (private objects of every owner).</summary>
    public string? OAuthClientId { get; set; }
    public string? OAuthClientSecret { get; set; }

    /// <summary>Bound on parallel requests, so fan-out stays under Qlik's per-user rate tiers.</summary>
    /// <summary>Stable name of the tenant for its data key and index partitions; defaults to the TenantUrl host.</summary>
    public string? TenantId { get; set; }

    /// <summary>The tenant name backups are filed under.</summary>
    public string EffectiveTenantId => string.IsNullOrWhiteSpace(TenantId) ? TenantUrl?.Authority.ToLowerInvariant() ?? "" : TenantId;

    [Range(1, 64)]
    public int MaxConcurrentRequests { get; set; } = 8;

    // Added by the REST client (all optional; defaults suit a real tenant, tests shorten the delays).

    /// <summary>Scope asked for with client credentials (omitted when empty: the client's assigned scopes apply).</summary>
    public string? OAuthScope { get; set; }

    /// <summary>Scope asked for impersonation tokens (Engine sessions as another user).</summary>
    public string? ImpersonationScope { get; set; } = "user_default";

    /// <summary>Page size sent as <c>limit</c> on list calls (Qlik's maximum is 100 on most services).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Retries after 429/5xx/network errors. 429 waits for Retry-After; others back off exponentially with jitter.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>First backoff delay (doubles per attempt, jittered).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of one exponential backoff step (a Retry-After header is used as given).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one attempt until response headers arrive (QVF upload bodies are exempt).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How often an export's temp content is polled while it answers 204 (not ready).</summary>
    public TimeSpan ExportPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an export may stay "not ready" before giving up.</summary>
    public TimeSpan ExportReadyTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many times a broken QVF download is resumed (Range: bytes=N-) per read before failing.</summary>
    public int DownloadResumeAttempts { get; set; } = 5;

    /// <summary>OAuth tokens are renewed this long before their expires_at.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);
}
