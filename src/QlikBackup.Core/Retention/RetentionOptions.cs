using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Retention;

/// <summary>How long points of one tier are kept, by granularity. Windows count back from now; each is independent:
/// a point is kept if any rule keeps it.</summary>
public sealed class TierRetention
{
    /// <summary>Every point younger than this many days.</summary>
    public int KeepAllDays { get; set; }
    /// <summary>The newest point of each UTC hour, for this many days.</summary>
    public int KeepHourlyDays { get; set; }
    /// <summary>The newest point of each UTC day, for this many days.</summary>
    public int KeepDailyDays { get; set; }
    /// <summary>The newest point of each UTC month, for this many days.</summary>
    public int KeepMonthlyDays { get; set; }
}

/// <summary>Retention per tier. Bound from the "Retention" section (e.g. Retention:T1:KeepAllDays).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    public TierRetention T1 { get; set; } = new() { KeepAllDays = 7, KeepHourlyDays = 30, KeepDailyDays = 90, KeepMonthlyDays = 365 };
    public TierRetention T2 { get; set; } = new() { KeepAllDays = 7, KeepHourlyDays = 30, KeepDailyDays = 90, KeepMonthlyDays = 365 };
    public TierRetention T3 { get; set; } = new() { KeepAllDays = 30, KeepHourlyDays = 30, KeepDailyDays = 90, KeepMonthlyDays = 365 };

    /// <summary>An unreferenced blob is deleted only when it was already unreferenced this long ago (by an earlier prune),
    /// so a capture that reuses a blob while a prune runs never loses it.</summary>
    public TimeSpan SweepGracePeriod { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A referenced pack whose live entries are below this percentage of its size is repacked (0: never).</summary>
    public int RepackBelowLivePercent { get; set; } = 50;

    /// <summary>Packs smaller than this are never repacked: rewriting a few KiB saves less than it costs.</summary>
    public long RepackMinPackBytes { get; set; } = 1024 * 1024;

    public TierRetention For(Tier tier) => tier switch { Tier.T1 => T1, Tier.T2 => T2, _ => T3 };
}

internal sealed class RetentionOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<RetentionOptions>
{
    const int MaxDays = 36500;

    public ValidateOptionsResult Validate(string? name, RetentionOptions o)
    {
        var errors = new List<string>();
        foreach (Tier tier in Enum.GetValues<Tier>())
        {
            TierRetention? r = o.For(tier);
            string prefix = $"Retention:{tier}";
            if (r is null)
            {
                errors.Add($"{prefix} is missing.");
                continue;
            }

            OptionChecks.Range(errors, $"{prefix}:KeepAllDays", r.KeepAllDays, 0, MaxDays);
            OptionChecks.Range(errors, $"{prefix}:KeepHourlyDays", r.KeepHourlyDays, 0, MaxDays);
            OptionChecks.Range(errors, $"{prefix}:KeepDailyDays", r.KeepDailyDays, 0, MaxDays);
            OptionChecks.Range(errors, $"{prefix}:KeepMonthlyDays", r.KeepMonthlyDays, 0, MaxDays);
        }

        if (o.SweepGracePeriod < TimeSpan.Zero || o.SweepGracePeriod > TimeSpan.FromDays(30))
            errors.Add($"Retention:SweepGracePeriod must be between 00:00:00 and 30 days (was {o.SweepGracePeriod}).");
        // A capture reuses a pack entry it wrote for PackDedupWindow without looking at storage; retention must not sweep the
        // pack sooner than that after it last saw the entry referenced, or the new point would name a deleted pack.
        if (StorageDedupWindow() is { } dedup && dedup > TimeSpan.Zero && o.SweepGracePeriod <= dedup)
            errors.Add($"Retention:SweepGracePeriod ({o.SweepGracePeriod}) must be longer than Storage:PackDedupWindow ({dedup}), or set Storage:PackDedupWindow to 00:00:00.");
        if (o.RepackBelowLivePercent is < 0 or > 100)
            errors.Add($"Retention:RepackBelowLivePercent must be between 0 (never) and 100 (was {o.RepackBelowLivePercent}).");
        if (o.RepackMinPackBytes < 0)
            errors.Add($"Retention:RepackMinPackBytes must be 0 or more (was {o.RepackMinPackBytes}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Null while the Storage settings are invalid: their own validation names what is wrong, once.</summary>
    TimeSpan? StorageDedupWindow()
    {
        try
        {
            return storage.Value.PackDedupWindow;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
