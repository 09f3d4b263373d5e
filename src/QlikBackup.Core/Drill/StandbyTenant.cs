using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Fidelity;
using QlikBackup.Core.Restore;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;

namespace QlikBackup.Core.Drill;

/// <summary>
/// The standby tenant of a whole-tenant drill: a second Qlik client registered exactly as the production one (AddQlikClient,
/// AddQlikEngine: same resilience, auth and Engine sessions) in a small container of its own, with <see cref="StandbyOptions"/>
/// as its address and credentials, and the restore engine and fidelity check bound to it. Recovery points are still read
/// from the production tenant's storage; nothing here holds a client of the production tenant, so a standby drill cannot write there.
/// </summary>
public sealed class StandbyTenant : IAsyncDisposable
{
    readonly IServiceProvider _root;
    readonly IConfiguration _configuration;
    readonly StandbyOptions _options;
    readonly Lazy<Bound> _bound;

    public StandbyTenant(IServiceProvider root, IConfiguration configuration, IOptions<StandbyOptions> options)
    {
        _root = root;
        _configuration = configuration;
        _options = options.Value;
        _bound = new Lazy<Bound>(Bind, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public bool Configured => _options.Configured;

    /// <summary>The standby's address, for reports and messages.</summary>
    public string? TenantUrl => _options.TenantUrl?.GetLeftPart(UriPartial.Authority);

    public IQlikRestClient Rest => _bound.Value.Rest;
    public IQlikEngine Engine => _bound.Value.Engine;
    /// <summary>Plans and executes restores into the standby (reading points from production's storage).</summary>
    public IRestoreService Restore => _bound.Value.Restore;
    public FidelityCheck Fidelity => _bound.Value.Fidelity;

    sealed record Bound(ServiceProvider Clients, IQlikRestClient Rest, IQlikEngine Engine, IRestoreService Restore, FidelityCheck Fidelity);

    Bound Bind()
    {
        if (!Configured)
            throw new DrillRequestException(400, "Standby tenant not configured", $"Set {StandbyOptions.Section}:TenantUrl and its credentials to drill into a standby tenant.");
        var services = new ServiceCollection();
        // The host's logging and clock; the production "Qlik" section for tuning, then the standby's address and credentials over it.
        services.AddSingleton(_root.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(_root.GetRequiredService<TimeProvider>());
        services.AddQlikClient(_configuration);
        services.Configure<QlikOptions>(o =>
        {
            o.TenantUrl = _options.TenantUrl;
            o.ApiKey = _options.ApiKey;
            o.OAuthClientId = _options.OAuthClientId;
            o.OAuthClientSecret = _options.OAuthClientSecret;
            o.TenantId = null;
        });
        var engineOptions = _root.GetService<IOptions<QlikEngineOptions>>()?.Value ?? new QlikEngineOptions();
        services.AddQlikEngine(o =>
        {
            o.ConnectTimeout = engineOptions.ConnectTimeout;
            o.RequestTimeout = engineOptions.RequestTimeout;
            o.ConnectRetryAttempts = engineOptions.ConnectRetryAttempts;
            o.ConnectRetryDelay = engineOptions.ConnectRetryDelay;
            o.KeepAliveInterval = engineOptions.KeepAliveInterval;
        });
        var clients = services.BuildServiceProvider();
        var rest = clients.GetRequiredService<IQlikRestClient>();
        var engine = clients.GetRequiredService<IQlikEngine>();
        // Every part of the restore engine that talks to Qlik gets the standby's clients; storage, index and progress are the host's.
        var restore = ActivatorUtilities.CreateInstance<RestoreService>(_root,
            ActivatorUtilities.CreateInstance<RestorePlanner>(_root, rest, engine),
            ActivatorUtilities.CreateInstance<RestoreExecutor>(_root, rest, engine),
            ActivatorUtilities.CreateInstance<RestoreDiscarder>(_root, rest),
            ActivatorUtilities.CreateInstance<RestorePromoter>(_root, rest, engine),
            ActivatorUtilities.CreateInstance<RestoreComparer>(_root, rest, engine));
        return new Bound(clients, rest, engine, restore, ActivatorUtilities.CreateInstance<FidelityCheck>(_root, rest, engine));
    }

    public async ValueTask DisposeAsync()
    {
        if (_bound.IsValueCreated) await _bound.Value.Clients.DisposeAsync();
    }
}
