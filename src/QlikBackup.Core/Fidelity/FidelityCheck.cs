using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Fidelity;

/// <summary>
/// Compares a restored live asset with its recovery point, object by object, and names every difference. Ids the restore
/// changed are remapped first, so links (task → app, copy → source app, connection → space) count only when they point
/// at the wrong asset. Only what the restore's reconfiguration checklist names (write-only secrets) may differ.
/// </summary>
public sealed partial class FidelityCheck(IRecoveryPointIndex index, IContentStore store, IQlikRestClient rest, IQlikEngine engine, ITenantContext tenant)
{
    public async Task<FidelityResult> CheckAsync(FidelityRequest request, CancellationToken ct = default)
    {
        var point = await index.GetAsync(tenant.TenantId, request.PointId, ct)
            ?? throw new RestoreRequestException(404, "Recovery point not found", $"There is no recovery point '{request.PointId}' for tenant '{tenant.TenantId}'.");
        var tally = new Tally($"{point.Kind} '{point.Name ?? point.AssetId}'", request);
        string liveId = request.LiveAssetId ?? tally.Map(point.AssetId);
        PointContent content;
        try
        {
            content = await PointContent.LoadAsync(store, point, ct);
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            tally.Differ("(recovery point)", "manifest readable", "yes", ex.Message);
            return tally.Result(point, liveId, opened: false);
        }

        bool opened = point.Kind switch
        {
            AssetKind.App => await CheckAppAsync(point, content, liveId, tally, ct),
            AssetKind.Space => await CheckSpaceAsync(point, content, liveId, tally, ct),
            _ => await CheckResourceAsync(point, content, liveId, tally, ct),
        };
        return tally.Result(point, liveId, opened);
    }

    /// <summary>Content equality as the capture stores it: SHA-256 of the canonical JSON.</summary>
    internal static string Hash(JsonElement json) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(json)));

    static bool Unreadable(Exception ex) => ex is ContentIntegrityException or InvalidDataException or JsonException or RestoreRequestException
        or Azure.RequestFailedException or ArgumentException;

    /// <summary>A part's JSON with old ids replaced by new ones; null (and a difference) when the stored part cannot be read.</summary>
    static async Task<JsonElement?> ReadJsonAsync(PointContent content, string part, string objectName, Tally tally, CancellationToken ct)
    {
        try
        {
            var json = await content.ReadJsonAsync(part, ct);
            return tally.Remap(ResourceShapes.Normalize(part, json));
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            tally.Differ(objectName, "stored content readable", "yes", ex.Message);
            return null;
        }
    }

    async Task<bool> CheckResourceAsync(RecoveryPoint point, PointContent content, string liveId, Tally tally, CancellationToken ct)
    {
        var kind = ResourceShapes.RestKind(point.Kind);
        if (kind is null || !content.Has(CapturePartNames.Resource)) return true;
        tally.Count();
        int before = tally.Differences.Count;
        var raw = await ReadRawAsync(content, CapturePartNames.Resource, tally, ct);
        if (raw is not { } captured) return true;
        var live = await rest.GetAsync(kind.Value, liveId, ct);
        if (live is null)
        {
            tally.Differ("(asset)", "exists", liveId, null);
            return true;
        }
        if (point.Kind == AssetKind.Automation && tally.Request.AutomationsDisabled) captured = JsonTools.With(captured, "state", "disabled");
        CompareDocuments(point.Kind == AssetKind.IdentityProvider ? "(identity provider)" : "(resource)",
            WithoutChecklistGroups(point.Kind, tally.Remap(ResourceShapes.Normalize(CapturePartNames.Resource, captured)), tally.Request.Checklist),
            ResourceShapes.Normalize(CapturePartNames.Resource, JsonTools.ToElement(JsonTools.Without(live.Raw, CaptureService.VolatileOf(point.Kind) ?? new HashSet<string>()))), tally);
        // spaceId is a read-only field for comparison, yet it is the connection → space link.
        if (JsonTools.GetString(captured, "spaceId") is { } space)
            tally.Expect("(resource)", "spaceId (link to space)", tally.Map(space), live.SpaceId ?? JsonTools.GetString(live.Raw, "spaceId"));
        if (point.Kind == AssetKind.Group) await CheckMembersAsync(point, live.Id, tally, ct);
        if (tally.Differences.Count == before) tally.Equal();
        return true;
    }

    static async Task<JsonElement?> ReadRawAsync(PointContent content, string part, Tally tally, CancellationToken ct)
    {
        try
        {
            return await content.ReadJsonAsync(part, ct);
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            tally.Differ(part, "stored content readable", "yes", ex.Message);
            return null;
        }
    }

    /// <summary>Path-level differences of two JSON documents; a secret field differs legitimately only when the checklist names the asset.</summary>
    static void CompareDocuments(string objectName, JsonElement expected, JsonElement actual, Tally tally)
    {
        foreach (var change in JsonTools.Diff(expected, actual))
        {
            if ((IsSecret(change.Path) || ActivatedByHand(objectName, change.Path)) && tally.OnChecklist()) continue;
            // The owner is a user who is not in the target tenant: the resource stays with the restore principal, as the checklist says.
            if (IsOwner(change.Path) && change.Old is { } old && change.New is not null && tally.Unplaced(old.Trim('"'))) continue;
            tally.Differ(objectName, change.Path, change.Old, change.New);
        }
    }

    /// <summary>Qlik creates an identity provider inactive; the checklist says to activate it once its secret is re-entered.</summary>
    static bool ActivatedByHand(string objectName, string path) => objectName == "(identity provider)" && path == "$.active";

    static bool IsOwner(string path) => path is "$.ownerId" or "$.owner" or "$.user" or "$.userId";

    static bool IsSecret(string path)
    {
        string last = path[(path.LastIndexOfAny(['.', '[']) + 1)..].Trim('\'', ']');
        return last.Contains("password", StringComparison.OrdinalIgnoreCase) || last.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || last.Contains("credential", StringComparison.OrdinalIgnoreCase) || last.Contains("token", StringComparison.OrdinalIgnoreCase)
            || last.Equals("headers", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Group membership lives on users (assignedGroups): members at the point are the users whose newest point lists the group.</summary>
    async Task CheckMembersAsync(RecoveryPoint group, string liveGroupId, Tally tally, CancellationToken ct)
    {
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        var userPoints = await index.QueryAsync(tenant.TenantId, new RecoveryPointQuery { Kind = AssetKind.User, To = group.CapturedAt.AddDays(1), Take = 1000 }, ct);
        foreach (var up in userPoints.Where(p => p.Status == RecoveryPointStatus.Captured).GroupBy(p => p.AssetId).Select(g => g.First()))
        {
            var doc = await ReadRawAsync(await PointContent.LoadAsync(store, up, ct), CapturePartNames.Resource, tally, ct);
            if (doc is { } d && GroupIds(d).Contains(group.AssetId)) expected.Add(tally.Map(up.AssetId));
        }
        var actual = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var user in rest.ListAsync(QlikResourceKind.User, ct))
            if (GroupIds(user.Raw).Contains(liveGroupId)) actual.Add(user.Id);
        foreach (var member in expected.Except(actual)) tally.Differ($"member {member}", "group membership", "member", null);
        foreach (var member in actual.Except(expected)) tally.Differ($"member {member}", "group membership", null, "member");
    }

    static HashSet<string> GroupIds(JsonElement user)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (user.ValueKind == JsonValueKind.Object && user.TryGetProperty("assignedGroups", out var groups) && groups.ValueKind == JsonValueKind.Array)
            foreach (var g in groups.EnumerateArray())
                if ((g.ValueKind == JsonValueKind.String ? g.GetString() : JsonTools.GetString(g, "id")) is { } id) ids.Add(id);
        return ids;
    }

    async Task<bool> CheckSpaceAsync(RecoveryPoint point, PointContent content, string liveId, Tally tally, CancellationToken ct)
    {
        var live = await rest.GetSpaceAsync(liveId, ct);
        if (live is null)
        {
            tally.Differ("(space)", "exists", liveId, null);
            return true;
        }
        if (await ReadRawAsync(content, CapturePartNames.Resource, tally, ct) is { } space)
        {
            tally.Count();
            int before = tally.Differences.Count;
            tally.Expect("(space)", "type", JsonTools.GetString(space, "type"), live.Type);
            // An isolated copy is named and described as the drill's copy; name and description must match when restored as itself.
            if (!tally.Request.Isolated) tally.Expect("(space)", "description", JsonTools.GetString(space, "description") ?? "", live.Description ?? "");
            if (tally.Request.LiveAssetId is null) tally.Expect("(space)", "name", JsonTools.GetString(space, "name"), live.Name);
            if (tally.Differences.Count == before) tally.Equal();
        }
        if (await ReadRawAsync(content, CapturePartNames.Assignments, tally, ct) is not { ValueKind: JsonValueKind.Array } assignments) return true;
        var actual = new Dictionary<string, QlikSpaceAssignment>(StringComparer.Ordinal);
        await foreach (var a in rest.ListSpaceAssignmentsAsync(live.Id, ct)) actual[$"{a.Type} {a.AssigneeId}"] = a;
        foreach (var a in assignments.EnumerateArray())
        {
            string assignee = JsonTools.GetString(a, "assigneeId") ?? "";
            string key = $"{JsonTools.GetString(a, "type")} {tally.Map(assignee)}";
            // An assignee Qlik cannot give back (an identity-provider group, until a member signs in) is on the checklist, not a difference.
            if (!actual.ContainsKey(key) && tally.Map(assignee) == assignee && tally.Request.Checklist.Any(l => l.Contains(assignee, StringComparison.Ordinal))) continue;
            tally.Count();
            string roles = Roles(a);
            if (!actual.Remove(key, out var found)) tally.Differ($"assignment {key}", "exists", roles, null);
            else if (Roles(found.Raw) != roles) tally.Differ($"assignment {key}", "roles", roles, Roles(found.Raw));
            else tally.Equal();
        }
        // An isolated copy adds content owners as members (only members may own content); every original assignment was compared above.
        if (!tally.Request.Isolated)
            foreach (var (key, extra) in actual) tally.Differ($"assignment {key}", "exists", null, Roles(extra.Raw));
        return true;
    }

    static string Roles(JsonElement assignment)
        => assignment.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
            ? string.Join(",", r.EnumerateArray().Select(x => x.GetString()).Order(StringComparer.Ordinal))
            : "";

    /// <summary>Old ids mapped to new ones, counts and differences of one check.</summary>
    sealed class Tally(string asset, FidelityRequest request)
    {
        public FidelityRequest Request { get; } = request;
        public List<FidelityDifference> Differences { get; } = [];
        int _objects, _equal;

        public string Map(string id) => Request.IdMap.TryGetValue(id, out var mapped) ? mapped : id;

        /// <summary>A user with no id in the target tenant whom the checklist names (gone, or refused by the tenant): what they owned stays with the restore principal.</summary>
        public bool Unplaced(string userId)
            => !string.IsNullOrWhiteSpace(userId) && !Request.IdMap.ContainsKey(userId) && Request.Checklist.Any(l => l.Contains(userId, StringComparison.Ordinal));

        public JsonElement Remap(JsonElement json)
            => Request.IdMap.Count == 0 ? json : JsonTools.ToElement(JsonTools.Remap(JsonNode.Parse(json.GetRawText()), Request.IdMap));

        public void Count() => _objects++;
        public void Equal() => _equal++;

        public void Differ(string obj, string attribute, string? expected, string? actual)
            => Differences.Add(new FidelityDifference(asset, obj, attribute, expected, actual));

        public void Expect(string obj, string attribute, string? expected, string? actual)
        {
            if (!string.Equals(expected, actual, StringComparison.Ordinal)) Differ(obj, attribute, expected, actual);
        }

        /// <summary>The restore's checklist names this asset (its secrets are the operator's to re-enter).</summary>
        public bool OnChecklist() => Request.Checklist.Any(c => c.Contains(asset.Split(' ', 2)[^1].Trim('\''), StringComparison.OrdinalIgnoreCase));

        public FidelityResult Result(RecoveryPoint point, string liveId, bool opened)
            => new(asset, point.PointId, liveId, _objects, _equal, opened, Differences, Request.Checklist);
    }
}
