using System.Text.Json;

namespace QlikBackup.Qlik.Contracts;

/// <summary>The Engine (QIX) classes of persisted app objects. Each has its own Get/Create/Set/Destroy methods in QIX.</summary>
public enum EngineObjectClass
{
    /// <summary>Sheets, stories, master visualisations (masterobject), appprops and charts: GenericObject.</summary>
    GenericObject,
    Measure,
    Dimension,
    Bookmark,
    Variable,
}

/// <summary>An object of an app as <c>GetObjects</c>/<c>GetAllInfos</c> describe it, with its qMeta ownership flags.</summary>
public sealed record EngineObjectInfo(
    string QId, string QType, EngineObjectClass Class, string? OwnerId, bool Published, bool Approved, DateTimeOffset? ModifiedDate);

/// <summary>How to open an app. <see cref="ImpersonateUserId"/> opens the session as that user (OAuth M2M impersonation),
/// which is the only way Qlik shows another user's private objects.</summary>
public sealed record EngineSessionOptions(bool NoData = true, string? ImpersonateUserId = null);

/// <summary>Opens Engine sessions: wss://TENANT/app/{appId}.</summary>
public interface IQlikEngine
{
    Task<IEngineAppSession> OpenAppAsync(string appId, EngineSessionOptions? options = null, CancellationToken ct = default);
}

/// <summary>One WebSocket, one open doc. Properties are exchanged as JSON exactly as QIX defines them:
/// for GenericObject the full property tree (<c>qPropEntry</c>: qProperty + qChildren), for the others their
/// <c>GetProperties</c> result.</summary>
public interface IEngineAppSession : IAsyncDisposable
{
    string AppId { get; }
    /// <summary>Every persisted object (top-level and children) with class, owner and publish state.</summary>
    Task<IReadOnlyList<EngineObjectInfo>> ListObjectsAsync(CancellationToken ct = default);
    Task<JsonElement> GetPropertiesAsync(EngineObjectClass cls, string qId, CancellationToken ct = default);
    /// <summary>Creates the object (keeping qInfo.qId when free) and returns its qId.</summary>
    Task<string> CreateAsync(EngineObjectClass cls, JsonElement properties, CancellationToken ct = default);
    Task SetPropertiesAsync(EngineObjectClass cls, string qId, JsonElement properties, CancellationToken ct = default);
    Task<bool> DestroyAsync(EngineObjectClass cls, string qId, CancellationToken ct = default);
    Task<string> GetScriptAsync(CancellationToken ct = default);
    Task SetScriptAsync(string script, CancellationToken ct = default);
    Task<JsonElement> GetAppPropertiesAsync(CancellationToken ct = default);
    Task SetAppPropertiesAsync(JsonElement properties, CancellationToken ct = default);
    Task SaveAsync(CancellationToken ct = default);

    /// <summary>Sets qMeta.published/approved via Publish/UnPublish/Approve/UnApprove (not for variables), e.g. after a
    /// restore recreated a published sheet or master item. Default: not supported (fakes need not implement it).</summary>
    Task SetPublishStateAsync(EngineObjectClass cls, string qId, bool published, bool approved, CancellationToken ct = default)
        => throw new NotSupportedException("This Engine session cannot change publish state.");
}
