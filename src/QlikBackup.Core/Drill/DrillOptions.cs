using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Drill;

/// <summary>RTO objectives per tier: drill start to last asset verified. Bound from the "Rto" section.</summary>
public sealed class RtoOptions
{
    public const string Section = "Rto";

    public TimeSpan T1 { get; set; } = TimeSpan.FromMinutes(30);
    public TimeSpan T2 { get; set; } = TimeSpan.FromHours(4);
    /// <summary>One business day, taken as 24 hours.</summary>
    public TimeSpan T3 { get; set; } = TimeSpan.FromDays(1);
    /// <summary>The whole tenant rebuilt in the standby tenant (a Tenant drill); one business day, as T3.</summary>
    public TimeSpan Tenant { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan For(Tier tier) => tier switch { Tier.T1 => T1, Tier.T2 => T2, _ => T3 };
}

public sealed class RtoOptionsValidator : IValidateOptions<RtoOptions>
{
    public ValidateOptionsResult Validate(string? name, RtoOptions options)
    {
        var failures = new[] { ("Rto:T1", options.T1), ("Rto:T2", options.T2), ("Rto:T3", options.T3), ("Rto:Tenant", options.Tenant) }
            .Where(x => x.Item2 <= TimeSpan.Zero)
            .Select(x => $"{x.Item1} must be a positive time span (e.g. 00:30:00), not '{x.Item2}'.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Bound from the "Drill" section.</summary>
public sealed class DrillOptions
{
    public const string Section = "Drill";

    /// <summary>Drill spaces are named prefix + drill id + original space name; only spaces with this prefix are ever deleted.</summary>
    [Required(ErrorMessage = "Drill:SpacePrefix is required."), RegularExpression("^[a-z0-9][a-z0-9-]{1,30}$", ErrorMessage = "Drill:SpacePrefix must be 2-31 lowercase letters, digits or hyphens.")]
    public string SpacePrefix { get; set; } = "drill-";

    [Range(1, 500, ErrorMessage = "Drill:SampleSize must be between 1 and 500.")]
    public int SampleSize { get; set; } = 3;

    /// <summary>The scope of scheduled drills (DrillSchedule): Sample, Tier (one drill per tier; Space and Tenant are asked for on demand).</summary>
    [AllowedValues(DrillScope.Sample, DrillScope.Tier, ErrorMessage = "Drill:ScheduledScope must be Sample or Tier.")]
    public DrillScope ScheduledScope { get; set; } = DrillScope.Sample;

    /// <summary>Tiers drilled by the schedule, comma separated.</summary>
    [RegularExpression("^(T[123])(,T[123])*$", ErrorMessage = "Drill:ScheduledTiers must list tiers like T1,T2,T3.")]
    public string ScheduledTiers { get; set; } = "T1,T2,T3";

    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Drill:ReportsContainer must be a blob container name.")]
    public string ReportsContainer { get; set; } = "drill-reports";

    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Drill:ReportsTable must be a table name.")]
    public string ReportsTable { get; set; } = "DrillReports";

    public IReadOnlyList<Tier> TiersToDrill() => ScheduledTiers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Enum.Parse<Tier>).ToList();
}
