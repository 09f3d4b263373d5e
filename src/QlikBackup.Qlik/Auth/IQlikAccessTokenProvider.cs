namespace QlikBackup.Qlik.Auth;

/// <summary>
/// Bearer tokens for the tenant: the configured API key, or an OAuth M2M access token (client credentials).
/// With <c>impersonateUserId</c> it returns an OAuth user-impersonation token, so an Engine session sees what that
/// user sees (their private sheets, bookmarks, stories). Tokens are cached until shortly before they expire.
/// </summary>
public interface IQlikAccessTokenProvider
{
    /// <summary>True when an OAuth client is configured, i.e. impersonation tokens can be requested.</summary>
    bool CanImpersonate { get; }

    ValueTask<string> GetTokenAsync(string? impersonateUserId = null, CancellationToken ct = default);

    /// <summary>Drops a cached token the tenant rejected (401), so the next call asks for a new one.</summary>
    void Invalidate(string? impersonateUserId = null);
}
