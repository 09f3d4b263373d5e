using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;

namespace QlikBackup.Core.Status;

/// <summary>The record of one finished tier run, failed or not, kept for status and RPO monitoring.</summary>
/// <param name="Error">Why the run (or one of its spaces) failed as a whole, beyond the failed assets counted in the summary.</param>
public sealed record CaptureRun(Tier Tier, string RunId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Spaces, CaptureSummary Summary, string? Error = null)
{
    /// <summary>A clean run captured every asset of every space; only clean runs count towards the RPO.</summary>
    public bool Clean => Error is null && Summary.Failed == 0;
}

/// <summary>RPO objectives per tier. Bound from the "Rpo" section.</summary>
public sealed class RpoOptions
{
    public const string Section = "Rpo";

    public TimeSpan T1 { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan T2 { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan T3 { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan For(Tier tier) => tier switch { Tier.T1 => T1, Tier.T2 => T2, _ => T3 };
}

/// <summary>Status of one tier: its newest clean run and whether the RPO objective is breached.</summary>
public sealed record TierStatus(Tier Tier, TimeSpan Objective, CaptureRun? LastRun, CaptureRun? LastCleanRun, bool RpoBreached, TimeSpan? Age);
