using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Model;

/// <summary>
/// The in-memory Qlik Cloud tenant. All state sits in <see cref="TenantState"/> behind one lock: read with
/// <see cref="Read{T}"/>, change with <see cref="Write{T}"/> (which records audit events and, after the lock is
/// released, raises <see cref="EventRaised"/> so webhooks get delivered).
/// </summary>
public sealed class SimulatedTenant
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();

    public SimulatedTenant(TenantState? state = null, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        State = state ?? new TenantState { Tenant = { CreatedAt = Time.GetUtcNow() } };
    }

    public TimeProvider Time { get; }

    /// <summary>The raw state. Only touch it inside Read/Write (or before the tenant is shared).</summary>
    public TenantState State { get; }

    public string TenantId => State.Tenant.Id;

    /// <summary>Raised after every committed change, outside the lock, once per audit event.</summary>
    public event Action<SimAuditEvent>? EventRaised;

    /// <summary>Webhook delivery attempts, oldest first (for tests and diagnostics).</summary>
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries => _deliveries.ToArray();

    public void RecordDelivery(WebhookDelivery delivery) => _deliveries.Enqueue(delivery);

    public T Read<T>(Func<TenantState, T> read)
    {
        lock (_gate) return read(State);
    }

    /// <summary>Applies a change as <paramref name="actor"/>; events emitted through the <see cref="TenantChange"/> become audits.</summary>
    public T Write<T>(SimulatedActor actor, Func<TenantChange, T> write)
    {
        TenantChange change;
        T result;
        lock (_gate)
        {
            change = new TenantChange(this, actor, Time.GetUtcNow());
            result = write(change);
        }
        foreach (var e in change.Emitted) EventRaised?.Invoke(e);
        return result;
    }

    public void Write(SimulatedActor actor, Action<TenantChange> write) => Write(actor, c => { write(c); return 0; });

    /// <summary>
    /// Mutates an app's engine document as <paramref name="actor"/>: bumps the app's modifiedDate and records
    /// <c>com.qlik.v1.app.data.updated</c> (Qlik's "app saved" event). Throws <see cref="KeyNotFoundException"/> for an unknown app.
    /// </summary>
    public T UpdateAppDocument<T>(string appId, SimulatedActor actor, Func<SimApp, SimulatedAppDocument, T> mutate)
        => Write(actor, c =>
        {
            var app = c.State.FindApp(appId) ?? throw new KeyNotFoundException($"App '{appId}' not found.");
            var result = mutate(app, app.Document);
            c.AppSaved(app);
            return result;
        });

    /// <summary>Test knob: puts a soft-deleted app past its purgeAt, so Qlik's restore answers 404 as after the 14 days.</summary>
    public void ExpireSoftDeleteWindow(string appId) => Write(SimulatedActor.System, c =>
    {
        var deleted = c.State.FindDeletedApp(appId) ?? throw new KeyNotFoundException($"App '{appId}' is not soft-deleted.");
        deleted.PurgeAt = c.Now;
    });

    /// <summary>Resolves a bearer token (API key or OAuth access token) to the acting identity; null if unknown/expired/revoked.</summary>
    public SimulatedActor? ResolveBearerToken(string token) => Read(s =>
    {
        var now = Time.GetUtcNow();
        var key = s.ApiKeys.FirstOrDefault(k => k.Token == token);
        if (key is not null)
            return key.Status == "active" && key.Expiry > now && s.FindUser(key.Sub) is { Status: "active" }
                ? new SimulatedActor(key.Sub, ApiKeyId: key.Id)
                : null;
        var access = s.AccessTokens.FirstOrDefault(t => t.Token == token);
        if (access is null || access.ExpiresAt <= now || s.FindUser(access.UserId) is not { Status: "active" }) return null;
        return new SimulatedActor(access.UserId, ClientId: access.ClientId, Impersonated: access.Impersonated);
    });
}

/// <summary>One change in progress (inside the tenant lock). Emit events through it so they are audited and delivered.</summary>
public sealed class TenantChange
{
    private readonly SimulatedTenant _tenant;
    internal List<SimAuditEvent> Emitted { get; } = [];

    internal TenantChange(SimulatedTenant tenant, SimulatedActor actor, DateTimeOffset now)
    {
        _tenant = tenant;
        Actor = actor;
        Now = now;
    }

    public TenantState State => _tenant.State;
    public SimulatedActor Actor { get; }
    public DateTimeOffset Now { get; }

    /// <summary>Appends an audit event (Qlik's event shape) for the acting user/client and queues it for webhooks.</summary>
    public SimAuditEvent Emit(string eventType, string source, JsonObject? data = null, string? spaceId = null,
        string? ownerId = null, string? topLevelResourceId = null)
    {
        var actor = new JsonObject { ["sub"] = Actor.UserId, ["subType"] = Actor.UserId == SimulatedActor.System.UserId ? "system" : "user" };
        if (Actor.ClientId is not null) actor["clientId"] = Actor.ClientId;
        if (Actor.ApiKeyId is not null) actor["apiKeyId"] = Actor.ApiKeyId;
        if (Actor.Impersonated) actor["impersonated"] = true;
        var extensions = new JsonObject
        {
            ["actor"] = actor,
            ["tenantId"] = State.Tenant.Id,
            ["userId"] = Actor.UserId,
        };
        if (ownerId is not null) extensions["ownerId"] = ownerId;
        if (spaceId is not null) extensions["spaceId"] = spaceId;
        if (topLevelResourceId is not null) extensions["topLevelResourceId"] = topLevelResourceId;
        var e = new SimAuditEvent
        {
            Id = Ids.NewObjectId(),
            EventId = Ids.NewGuid(),
            EventType = eventType,
            EventTime = Now,
            Source = source,
            UserId = Actor.UserId,
            TenantId = State.Tenant.Id,
            Data = data ?? [],
            Extensions = extensions,
        };
        State.Audits.Add(e);
        Emitted.Add(e);
        return e;
    }

    /// <summary>Records that the app was saved (engine or REST change): bumps modifiedDate, emits app.data.updated.</summary>
    public void AppSaved(SimApp app)
    {
        app.ModifiedDate = Now;
        EmitApp("com.qlik.v1.app.data.updated", app);
    }

    public SimAuditEvent EmitApp(string eventType, SimApp app, JsonObject? extraData = null)
    {
        var data = new JsonObject { ["id"] = app.Id, ["name"] = app.Name, ["spaceId"] = app.SpaceId, ["ownerId"] = app.OwnerId };
        if (extraData is not null)
            foreach (var (k, v) in extraData) data[k] = v?.DeepClone();
        return Emit(eventType, "com.qlik/engine", data, app.SpaceId, app.OwnerId, app.Id);
    }
}
