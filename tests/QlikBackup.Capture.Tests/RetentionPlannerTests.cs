using QlikBackup.Core.Assets;
using QlikBackup.Core.Retention;
using QlikBackup.Core.Storage;

namespace QlikBackup.Capture.Tests;

/// <summary>The planner is pure: the clock is a parameter, so these run at any fixed "now".</summary>
public sealed class RetentionPlannerTests
{
    static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    static RecoveryPoint Point(DateTimeOffset at, RecoveryPointStatus status = RecoveryPointStatus.Captured) => new()
    {
        TenantId = "t", PointId = RecoveryPointIds.Create(AssetKind.App, "app-1", at), Kind = AssetKind.App, AssetId = "app-1",
        CapturedAt = at, Status = status, ManifestRef = status == RecoveryPointStatus.Captured ? "m" + at.Ticks : null,
    };

    static TierRetention Policy(int all, int hourly, int daily, int monthly) =>
        new() { KeepAllDays = all, KeepHourlyDays = hourly, KeepDailyDays = daily, KeepMonthlyDays = monthly };

    [Fact]
    public void Every_point_younger_than_keep_all_days_is_kept()
    {
        var points = Enumerable.Range(0, 7 * 24 * 6).Select(i => Point(Now.AddMinutes(-10 * i))).ToList(); // every 10 min for 7 days
        RetentionPlan plan = RetentionPlanner.Plan(points, Now, Policy(7, 0, 0, 0));
        Assert.Equal(points.Count, plan.Keep.Count);
        Assert.Empty(plan.Prune);
    }

    [Fact]
    public void Beyond_keep_all_only_the_newest_point_of_each_hour_day_and_month_stays_within_its_window()
    {
        // A point every 10 minutes for 100 days.
        var points = Enumerable.Range(0, 100 * 24 * 6).Select(i => Point(Now.AddMinutes(-10 * i))).ToList();
        RetentionPlan plan = RetentionPlanner.Plan(points, Now, Policy(1, 3, 10, 60));

        var kept = plan.Keep.Select(p => p.CapturedAt).ToList();
        Assert.Equal(points.Count, plan.Keep.Count + plan.Prune.Count);
        // Day 0-1: everything (6 per hour).
        Assert.Equal(24 * 6, kept.Count(t => Now - t < TimeSpan.FromDays(1)));
        // Days 1-3: one per hour, the newest of its hour (minute 50).
        var hourly = kept.Where(t => Now - t >= TimeSpan.FromDays(1) && Now - t < TimeSpan.FromDays(3)).ToList();
        Assert.Equal(2 * 24, hourly.Count);
        Assert.All(hourly, t => Assert.Equal(50, t.Minute));
        // Days 3-10: one per day (23:50); days 10-60: one per month; nothing older than 60 days.
        var daily = kept.Where(t => Now - t >= TimeSpan.FromDays(3) && Now - t < TimeSpan.FromDays(10)).ToList();
        Assert.All(daily, t => Assert.Equal((23, 50), (t.Hour, t.Minute)));
        Assert.InRange(daily.Count, 6, 8);
        var monthly = kept.Where(t => Now - t >= TimeSpan.FromDays(10)).ToList();
        Assert.All(monthly, t => Assert.True(Now - t < TimeSpan.FromDays(60)));
        Assert.All(monthly, t => Assert.Equal(t, points.Where(p => p.CapturedAt.Year == t.Year && p.CapturedAt.Month == t.Month).Max(p => p.CapturedAt)));
        Assert.Equal(2, monthly.Count); // May 31 23:50 and April 30 23:50
    }

    [Fact]
    public void The_newest_point_and_the_newest_captured_point_are_never_pruned()
    {
        RecoveryPoint deleted = Point(Now.AddDays(-400), RecoveryPointStatus.Deleted);
        RecoveryPoint lastContent = Point(Now.AddDays(-401));
        RecoveryPoint older = Point(Now.AddDays(-402));
        RetentionPlan plan = RetentionPlanner.Plan([older, deleted, lastContent], Now, Policy(1, 1, 1, 1));
        Assert.Equal(new[] { deleted.PointId, lastContent.PointId }, plan.Keep.Select(p => p.PointId));
        Assert.Equal(new[] { older.PointId }, plan.Prune.Select(p => p.PointId));
    }

    [Fact]
    public void Failed_markers_beyond_keep_all_go_and_never_win_a_bucket_over_content()
    {
        RecoveryPoint newest = Point(Now);
        RecoveryPoint failed = Point(Now.AddDays(-3).AddMinutes(5), RecoveryPointStatus.Failed);
        RecoveryPoint captured = Point(Now.AddDays(-3));
        RetentionPlan plan = RetentionPlanner.Plan([newest, failed, captured], Now, Policy(1, 5, 0, 0));
        Assert.Contains(captured, plan.Keep);
        Assert.Contains(failed, plan.Prune);
    }

    [Fact]
    public void No_points_no_plan() => Assert.Empty(RetentionPlanner.Plan([], Now, Policy(1, 1, 1, 1)).Keep);
}
