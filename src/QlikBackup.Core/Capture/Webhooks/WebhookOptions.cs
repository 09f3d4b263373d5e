using Microsoft.Extensions.Options;

namespace QlikBackup.Core.Capture.Webhooks;

/// <summary>Qlik webhook intake. Bound from the "Webhooks" section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The secret the Qlik webhook was registered with (keyed HMAC of each body). Without it every delivery is refused.</summary>
    public string? Secret { get; set; }

    /// <summary>Events older than this are refused: the signature covers only the body, so age and event id are the replay guard.</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Tolerance for event times ahead of our clock.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest delivery read (Qlik's events are a few KiB); a larger one is refused before its body is read.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions o)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(o.Secret) && o.Secret.Length < 16)
            errors.Add("Webhooks:Secret must be at least 16 characters when set.");
        if (o.MaxEventAge <= TimeSpan.Zero || o.MaxEventAge > TimeSpan.FromDays(30))
            errors.Add($"Webhooks:MaxEventAge must be more than zero and at most 30 days (was {o.MaxEventAge}).");
        if (o.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
            errors.Add($"Webhooks:MaxBodyBytes must be between 1024 and 16777216 (was {o.MaxBodyBytes}).");
        if (o.MaxClockSkew < TimeSpan.Zero || o.MaxClockSkew > TimeSpan.FromHours(1))
            errors.Add($"Webhooks:MaxClockSkew must be between 00:00:00 and 01:00:00 (was {o.MaxClockSkew}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
