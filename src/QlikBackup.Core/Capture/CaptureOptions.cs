using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Capture;

/// <summary>How the capture engine works. Bound from the "Capture" section. The tenant id comes from Qlik:TenantId
/// (<see cref="ITenantContext"/>), so keys, index and capture agree on one name.</summary>
public sealed class CaptureOptions
{
    public const string Section = "Capture";

    /// <summary>Tier of a space that has no entry in the SpaceTiers table (and of personal content).</summary>
    public Tier DefaultTier { get; set; } = Tier.T3;

    /// <summary>Tier of the tenant pseudo space (users, groups, webhooks, themes, IdPs, API keys, connections outside spaces).</summary>
    public Tier TenantConfigTier { get; set; } = Tier.T3;

    /// <summary>Assets of one space captured at once (the space orchestration's fan-out).</summary>
    public int MaxParallelAssetsPerSpace { get; set; } = 8;

    /// <summary>Parts (app objects, blobs) of one asset read and stored at once; also bounded by Qlik:MaxConcurrentRequests.</summary>
    public int MaxParallelPartsPerAsset { get; set; } = 8;

    /// <summary>Open one impersonated Engine session per possible owner of private objects (needs an OAuth client allowed to
    /// impersonate). Possible owners are the users who can open the app: its owner, the space owner and members (directly or
    /// through groups), tenant and analytics admins, and owners named in the objects' qMeta. A user who lost access cannot
    /// open the app, so Qlik gives no way to read their private objects.</summary>
    public bool CapturePrivateObjects { get; set; } = true;

    /// <summary>Capture apps in personal spaces as the pseudo space "personal" (in <see cref="DefaultTier"/> unless configured).</summary>
    public bool CapturePersonalContent { get; set; } = true;

    /// <summary>Export the QVF with its data (false = NoData export: smaller, but a restore must reload).</summary>
    public bool ExportQvfWithData { get; set; } = true;

    /// <summary>The longest tenant-wide listings (reload tasks, alerts, subscriptions, users, space names) and a run's audit
    /// attribution are kept for the captures of one run. They are keyed by the run, read once by it and dropped when it ends;
    /// this bounds what a run that never ends (or runs longer) keeps in memory. Zero disables the reuse (every capture reads).</summary>
    public TimeSpan ListingCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back audit events are searched for attribution when an asset has no modified date.</summary>
    public TimeSpan AttributionLookback { get; set; } = TimeSpan.FromDays(1);
}

internal sealed class CaptureOptionsValidator : IValidateOptions<CaptureOptions>
{
    public ValidateOptionsResult Validate(string? name, CaptureOptions o)
    {
        var errors = new List<string>();
        OptionChecks.Tier(errors, "Capture:DefaultTier", o.DefaultTier);
        OptionChecks.Tier(errors, "Capture:TenantConfigTier", o.TenantConfigTier);
        OptionChecks.Range(errors, "Capture:MaxParallelAssetsPerSpace", o.MaxParallelAssetsPerSpace, 1, 64);
        OptionChecks.Range(errors, "Capture:MaxParallelPartsPerAsset", o.MaxParallelPartsPerAsset, 1, 64);
        if (o.ListingCacheDuration < TimeSpan.Zero || o.ListingCacheDuration > TimeSpan.FromHours(1))
            errors.Add($"Capture:ListingCacheDuration must be between 00:00:00 and 01:00:00 (was {o.ListingCacheDuration}).");
        if (o.AttributionLookback <= TimeSpan.Zero || o.AttributionLookback > TimeSpan.FromDays(90))
            errors.Add($"Capture:AttributionLookback must be more than zero and at most 90 days (was {o.AttributionLookback}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Option checks whose messages name the setting as it is written in configuration.</summary>
internal static class OptionChecks
{
    public static void Tier(List<string> errors, string setting, Tier value)
    {
        if (!Enum.IsDefined(value)) errors.Add($"{setting} must be T1, T2 or T3 (was {(int)value}).");
    }

    public static void Range(List<string> errors, string setting, int value, int min, int max)
    {
        if (value < min || value > max) errors.Add($"{setting} must be between {min} and {max} (was {value}).");
    }

    public static void Range(List<string> errors, string setting, double value, double min, double max)
    {
        if (value < min || value > max) errors.Add($"{setting} must be between {min} and {max} (was {value}).");
    }
}
