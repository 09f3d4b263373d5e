using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;

namespace QlikBackup.Core.Status;

/// <summary>The record of one finished tier run, kept for status and RPO monitoring.</summary>
public sealed record CaptureRun(Tier Tier, string RunId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Spaces, CaptureSummary Summary);

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
