using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Storage;

/// <summary>Search filter over recovery points. Null members do not filter.</summary>
public sealed record RecoveryPointQuery
{
    public AssetKind? Kind { get; init; }
    public string? AssetId { get; init; }
    /// <summary>Case-insensitive substring of the asset name.</summary>
    public string? NameContains { get; init; }
    public string? OwnerId { get; init; }
    public string? SpaceId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Take { get; init; } = 100;
}

/// <summary>Table storage index of recovery points (see the Storage README section for the key design).</summary>
public interface IRecoveryPointIndex
{
    Task AddAsync(RecoveryPoint point, CancellationToken ct = default);
    Task<RecoveryPoint?> GetAsync(string tenantId, string pointId, CancellationToken ct = default);
    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<RecoveryPoint>> GetNewestAsync(string tenantId, AssetKind kind, string assetId, int take = 10, CancellationToken ct = default);
    /// <summary>Newest first; space + date range is a single-partition range query.</summary>
    Task<IReadOnlyList<RecoveryPoint>> QueryAsync(string tenantId, RecoveryPointQuery query, CancellationToken ct = default);
    Task DeleteAsync(string tenantId, string pointId, CancellationToken ct = default);
}
