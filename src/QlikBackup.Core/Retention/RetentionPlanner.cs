using System.Globalization;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Retention;

/// <summary>Which points of one asset stay and which go.</summary>
public sealed record RetentionPlan(IReadOnlyList<RecoveryPoint> Keep, IReadOnlyList<RecoveryPoint> Prune);

/// <summary>
/// Grandfather-father-son retention of one asset's points (pure: no clock, no I/O). A point is kept when any rule keeps it:
/// <list type="bullet">
/// <item>it is the asset's newest point, or its newest point with content (so a deleted asset stays restorable);</item>
/// <item>it is younger than KeepAllDays;</item>
/// <item>it is the newest captured point of its UTC hour / day / month and younger than KeepHourlyDays / KeepDailyDays / KeepMonthlyDays.</item>
/// </list>
/// Failed and Deleted markers carry no content: beyond KeepAllDays only the newest point's marker is kept.
/// </summary>
public static class RetentionPlanner
{
    public static RetentionPlan Plan(IEnumerable<RecoveryPoint> points, DateTimeOffset now, TierRetention policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var all = points.OrderByDescending(p => p.CapturedAt).ThenBy(p => p.PointId, StringComparer.Ordinal).ToList();
        if (all.Count == 0) return new RetentionPlan([], []);

        var keep = new HashSet<string>(StringComparer.Ordinal) { all[0].PointId };
        var captured = all.Where(p => p.Status == RecoveryPointStatus.Captured).ToList();
        if (captured.Count > 0) keep.Add(captured[0].PointId);

        foreach (RecoveryPoint p in all)
        {
            if (Within(p, now, policy.KeepAllDays)) keep.Add(p.PointId);
        }

        KeepNewestPerBucket(captured, now, policy.KeepHourlyDays, p => p.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture), keep);
        KeepNewestPerBucket(captured, now, policy.KeepDailyDays, p => p.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), keep);
        KeepNewestPerBucket(captured, now, policy.KeepMonthlyDays, p => p.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture), keep);

        return new RetentionPlan(all.Where(p => keep.Contains(p.PointId)).ToList(), all.Where(p => !keep.Contains(p.PointId)).ToList());
    }

    /// <summary>Points arrive newest first, so the first point seen in a bucket is its newest.</summary>
    static void KeepNewestPerBucket(List<RecoveryPoint> newestFirst, DateTimeOffset now, int days, Func<DateTimeOffset, string> bucketOf, HashSet<string> keep)
    {
        if (days <= 0) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RecoveryPoint p in newestFirst)
        {
            if (seen.Add(bucketOf(p.CapturedAt)) && Within(p, now, days)) keep.Add(p.PointId);
        }
    }

    /// <summary>Younger than <paramref name="days"/> days (points from a clock ahead of ours count as young).</summary>
    static bool Within(RecoveryPoint p, DateTimeOffset now, int days) => days > 0 && now - p.CapturedAt < TimeSpan.FromDays(days);
}
