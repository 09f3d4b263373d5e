using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Every point a query matches, not only the first <see cref="RecoveryPointQuery.Take"/> (at most 1,000 per query): pages
/// as GET /api/recovery-points does with X-Continuation, each page starting at the previous page's oldest time
/// (inclusive) and leaving out the points already read. A space restore or a drill needs every app of a large space.
/// </summary>
public static class RecoveryPointPaging
{
    /// <param name="query">Its <see cref="RecoveryPointQuery.Take"/> is the page size (at most <see cref="TableRecoveryPointIndex.MaxTake"/>).</param>
    public static async Task<IReadOnlyList<RecoveryPoint>> QueryAllAsync(this IRecoveryPointIndex index, string tenantId, RecoveryPointQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(query);
        var all = new List<RecoveryPoint>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        RecoveryPointQuery page = query with { Take = Math.Min(query.Take, TableRecoveryPointIndex.MaxTake) };
        while (true)
        {
            IReadOnlyList<RecoveryPoint> found = await index.QueryAsync(tenantId, page, ct);
            int added = 0;
            foreach (RecoveryPoint point in found.Where(p => seen.Add(p.PointId)))
            {
                all.Add(point);
                added++;
            }

            // A short page is the last; a page of only points already read (more than a page at one instant) cannot move on.
            if (found.Count < page.Take || added == 0)
            {
                return all;
            }

            page = page with { To = found.Min(p => p.CapturedAt) };
        }
    }
}
