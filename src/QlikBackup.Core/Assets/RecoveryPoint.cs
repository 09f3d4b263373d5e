namespace QlikBackup.Core.Assets;

public enum RecoveryPointStatus
{
    /// <summary>Content captured and stored.</summary>
    Captured,
    /// <summary>The asset no longer exists in Qlik; earlier points are kept.</summary>
    Deleted,
    /// <summary>Capture failed after retries; the error is in <see cref="RecoveryPoint.Error"/>.</summary>
    Failed,
}

/// <summary>
/// One captured state of one asset. Content lives in the encrypted blob store and is reached through
/// <see cref="ManifestRef"/>; this record is what the Table index holds and searches.
/// </summary>
public sealed record RecoveryPoint
{
    public required string TenantId { get; init; }
    public required string PointId { get; init; }
    public required AssetKind Kind { get; init; }
    public required string AssetId { get; init; }
    public string? Name { get; init; }
    public string? SpaceId { get; init; }
    public string? SpaceName { get; init; }
    public string? OwnerId { get; init; }
    public Tier Tier { get; init; } = Tier.T3;
    public required DateTimeOffset CapturedAt { get; init; }
    /// <summary>Qlik's own modified date of the asset when captured (change watermark).</summary>
    public DateTimeOffset? SourceModifiedAt { get; init; }
    public RecoveryPointStatus Status { get; init; } = RecoveryPointStatus.Captured;
    /// <summary>Content reference of the manifest blob listing every stored part; null for Failed/Deleted.</summary>
    public string? ManifestRef { get; init; }
    /// <summary>Plaintext bytes of all parts.</summary>
    public long Size { get; init; }
    /// <summary>Bytes newly written to Blob storage by this capture (0 when every part was already stored).</summary>
    public long NewBytes { get; init; }
    /// <summary>Attribution from Qlik's audit events: who changed the asset, when, from which client.</summary>
    /// <summary>On a Deleted point: the asset was restored under this new id (lineage), so it is gone only in name.</summary>
    public string? RestoredAsId { get; init; }
    /// <summary>On a Deleted app point: when Qlik purges the app from its soft-delete window (the purgeAt of Qlik's
    /// com.qlik.app.softdeleted event), or the deletion time for a hard delete; null when Qlik's events did not say.</summary>
    public DateTimeOffset? PurgeAt { get; init; }
    public string? ChangedBy { get; init; }
    public DateTimeOffset? ChangedAt { get; init; }
    public string? ChangedFromClient { get; init; }
    public string? Error { get; init; }
}
