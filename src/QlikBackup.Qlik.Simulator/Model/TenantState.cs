using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Model;

public sealed class TenantInfo
{
    public string Id { get; set; } = "sim-tenant-0001";
    public string Name { get; set; } = "simulated";
    public string Hostname { get; set; } = "simulated.eu.qlikcloud.com";
    public string Datacenter { get; set; } = "eu-west-1";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Everything the simulated tenant holds. Only access it inside <see cref="SimulatedTenant.Read{T}"/> or
/// <see cref="SimulatedTenant.Write{T}"/>. Serialises to tenant.json (binary payloads go to separate files).
/// </summary>
public sealed class TenantState
{
    public TenantInfo Tenant { get; set; } = new();
    public List<SimUser> Users { get; set; } = [];
    public List<SimGroup> Groups { get; set; } = [];
    public List<SimApiKey> ApiKeys { get; set; } = [];
    public List<SimOAuthClient> OAuthClients { get; set; } = [];
    public List<SimAccessToken> AccessTokens { get; set; } = [];
    public List<SimSpace> Spaces { get; set; } = [];
    public List<SimSpaceAssignment> SpaceAssignments { get; set; } = [];
    public List<SimApp> Apps { get; set; } = [];
    /// <summary>Soft-deleted apps kept for Qlik's restore window (reference §15), restorable with the same id until PurgeAt.</summary>
    public List<SimDeletedApp> DeletedApps { get; set; } = [];
    public List<SimTheme> Themes { get; set; } = [];
    public List<SimAuditEvent> Audits { get; set; } = [];
    /// <summary>JSON-shaped resources by kind (<see cref="ResourceKinds"/>), each document in Qlik's REST shape.</summary>
    public Dictionary<string, List<JsonObject>> Resources { get; set; } = ResourceKinds.All.ToDictionary(k => k, _ => new List<JsonObject>());
    /// <summary>Temporary contents (exports, uploads). Not persisted.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public List<SimTempContent> TempContents { get; set; } = [];

    public List<JsonObject> Resource(string kind)
    {
        if (!Resources.TryGetValue(kind, out var list)) Resources[kind] = list = [];
        return list;
    }

    public JsonObject? FindResource(string kind, string id)
    {
        var idField = ResourceKinds.IdField(kind);
        return Resource(kind).FirstOrDefault(r => r[idField]?.GetValue<string>() == id);
    }

    public SimUser? FindUser(string id) => Users.FirstOrDefault(u => u.Id == id);
    public SimGroup? FindGroup(string id) => Groups.FirstOrDefault(g => g.Id == id);
    public SimSpace? FindSpace(string id) => Spaces.FirstOrDefault(s => s.Id == id);
    public SimApp? FindApp(string id) => Apps.FirstOrDefault(a => a.Id == id);
    public SimDeletedApp? FindDeletedApp(string id) => DeletedApps.FirstOrDefault(d => d.App.Id == id);
    public SimTheme? FindTheme(string id) => Themes.FirstOrDefault(t => t.Id == id);
}

/// <summary>Id generators in Qlik's styles (24-hex object ids for most services, GUIDs for apps).</summary>
public static class Ids
{
    public static string NewObjectId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 12));
    public static string NewGuid() => Guid.NewGuid().ToString();
    public static string NewToken() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
