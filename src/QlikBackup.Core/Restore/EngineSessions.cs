using System.Text.Json;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Engine sessions of one restore step, one per (app, user): the backup principal's own, or an impersonated one for
/// another user's private objects. Knows which objects each session sees, so writes can upsert without failing reads.
/// </summary>
internal sealed class EngineSessions(IQlikEngine engine, bool forWrite) : IAsyncDisposable
{
    readonly Dictionary<(string AppId, string? User), Session> _sessions = [];

    public async Task<Session> GetAsync(string appId, string? asUser, CancellationToken ct)
    {
        if (_sessions.TryGetValue((appId, asUser), out var s)) return s;
        // Reads skip the data model (fast); writes open it, so that saving persists the app with its data.
        var session = await engine.OpenAppAsync(appId, new EngineSessionOptions(NoData: !forWrite, ImpersonateUserId: asUser), ct);
        s = new Session(session, asUser);
        _sessions[(appId, asUser)] = s;
        return s;
    }

    /// <summary>Saves every session of the app that wrote something.</summary>
    public async Task SaveAsync(string appId, CancellationToken ct)
    {
        foreach (var ((app, _), s) in _sessions)
        {
            if (app != appId || !s.Dirty) continue;
            await s.Engine.SaveAsync(ct);
            s.Dirty = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sessions.Values)
        {
            try { await s.Engine.DisposeAsync(); }
            catch (Exception) { /* closing a broken socket must not hide the restore's own outcome */ }
        }
        _sessions.Clear();
    }

    internal sealed class Session(IEngineAppSession engine, string? asUser)
    {
        IReadOnlyList<EngineObjectInfo>? _infos;

        public IEngineAppSession Engine { get; } = engine;
        public string? AsUser { get; } = asUser;
        public bool Dirty { get; set; }

        public async Task<IReadOnlyList<EngineObjectInfo>> ListAsync(CancellationToken ct) => _infos ??= await Engine.ListObjectsAsync(ct);

        public async Task<EngineObjectInfo?> FindAsync(EngineObjectClass cls, string qId, CancellationToken ct)
            => (await ListAsync(ct)).FirstOrDefault(i => i.Class == cls && i.QId == qId);

        /// <summary>
        /// Creates the object, or replaces its properties when it exists and differs. Returns what it did and the qId
        /// (Qlik keeps the captured qId when it is free; otherwise it assigns another one).
        /// </summary>
        public async Task<(RestoreActionKind Kind, string QId)> UpsertAsync(EngineObjectClass cls, string qId, JsonElement properties, CancellationToken ct)
        {
            if (await FindAsync(cls, qId, ct) is not null)
            {
                var live = await Engine.GetPropertiesAsync(cls, qId, ct);
                if (JsonTools.SameContent(live, properties)) return (RestoreActionKind.Skip, qId);
                await Engine.SetPropertiesAsync(cls, qId, properties, ct);
                Dirty = true;
                return (RestoreActionKind.Replace, qId);
            }
            string created = await Engine.CreateAsync(cls, properties, ct);
            Dirty = true;
            _infos = null;
            return (RestoreActionKind.Create, created);
        }

        public async Task<bool> DestroyAsync(EngineObjectClass cls, string qId, CancellationToken ct)
        {
            if (await FindAsync(cls, qId, ct) is null) return false;
            bool done = await Engine.DestroyAsync(cls, qId, ct);
            Dirty = true;
            _infos = null;
            return done;
        }

        /// <summary>Publishes/approves (or withdraws) the object when its state differs; false when nothing changed.</summary>
        public async Task<bool> SetPublishStateAsync(EngineObjectClass cls, string qId, bool published, bool approved, CancellationToken ct)
        {
            if (await FindAsync(cls, qId, ct) is not { } live || (live.Published == published && live.Approved == approved)) return false;
            await Engine.SetPublishStateAsync(cls, qId, published, approved, ct);
            Dirty = true;
            _infos = null;
            return true;
        }

        public async Task<bool> SetScriptAsync(string script, CancellationToken ct)
        {
            if (string.Equals(Norm(await Engine.GetScriptAsync(ct)), Norm(script), StringComparison.Ordinal)) return false;
            await Engine.SetScriptAsync(script, ct);
            Dirty = true;
            return true;
        }

        public async Task<bool> SetAppPropertiesAsync(JsonElement properties, CancellationToken ct)
        {
            if (JsonTools.SameContent(await Engine.GetAppPropertiesAsync(ct), properties)) return false;
            await Engine.SetAppPropertiesAsync(properties, ct);
            Dirty = true;
            return true;
        }

        static string Norm(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
