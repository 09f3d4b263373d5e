using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Which RPO tier each space is captured in. Spaces without an entry are in <see cref="DefaultTier"/>.
/// Besides Qlik space ids, the pseudo space "personal" (personal content) can be configured too.
/// </summary>
public interface ISpaceTierStore
{
    Tier DefaultTier { get; }

    /// <summary>Only the configured entries (space id → tier).</summary>
    Task<IReadOnlyDictionary<string, Tier>> GetAllAsync(CancellationToken ct = default);

    /// <summary>The configured tier of the space, else <see cref="DefaultTier"/>.</summary>
    Task<Tier> GetTierAsync(string spaceId, CancellationToken ct = default);

    Task SetAsync(string spaceId, Tier tier, CancellationToken ct = default);

    /// <summary>Removes the entry (the space falls back to the default tier). False when there was none.</summary>
    Task<bool> RemoveAsync(string spaceId, CancellationToken ct = default);
}

/// <summary>A space id that cannot be a key (empty, too long, or with characters Table keys forbid). Maps to HTTP 400.</summary>
public sealed class InvalidSpaceIdException(string spaceId)
    : ArgumentException($"'{spaceId}' is not a space id: use 1-128 characters without '/', '\\', '#', '?' or control characters.", nameof(spaceId))
{
    public string SpaceId { get; } = spaceId;
}
