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
    [Range(1, 64)]
    public int MaxConcurrentRequests { get; set; } = 8;
}
