using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Fidelity;

public sealed partial class FidelityCheck
{
    /// <summary>An app: every object of every owner, script, properties, attributes, space, and its reload tasks, alerts and subscriptions.</summary>
    async Task<bool> CheckAppAsync(RecoveryPoint point, PointContent content, string liveId, Tally tally, CancellationToken ct)
    {
        var app = await rest.GetAppAsync(liveId, ct);
        if (app is null)
        {
            tally.Differ("(app)", "exists", liveId, null);
            return false;
        }
        var objectParts = content.Objects.ToList();
        IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>? owners = null;
        try
        {
            owners = await content.ReadObjectIndexAsync(ct);
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            tally.Differ(CapturePartNames.Objects, "stored content readable", "yes", ex.Message);
        }

        var listings = new ResourceListings(rest);
        LiveAppContent live;
        // Owners of shared objects too: an object unpublished by mistake is visible only to its owner.
        var privateOwners = objectParts.Select(o => o.PrivateOwnerId).Concat(owners?.Values.Select(i => i.OwnerId) ?? [])
            .OfType<string>().Where(id => !tally.Unplaced(id)).Select(tally.Map).Distinct().ToList();
        await using (var sessions = new EngineSessions(engine, forWrite: false))
        {
            try
            {
                live = await LiveApp.ReadAsync(sessions, app, privateOwners, listings, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && privateOwners.Count > 0)
            {
                // An owner who cannot open the restored app: their private objects are reported missing below.
                tally.Differ("(app)", "private objects readable as their owners", string.Join(",", privateOwners), ex.Message);
                live = await LiveApp.ReadAsync(sessions, app, [], listings, ct);
            }
        }

        CompareObjects(objectParts, owners, content, live, tally, await ReadAllObjectsAsync(objectParts, content, tally, ct));
        await CompareScriptAndPropertiesAsync(content, live, tally, ct);
        await CompareAttributesAsync(point, content, app, tally, ct);
        await CompareAttachedAsync(point, content, app, live, listings, tally, ct);
        return true;
    }

    static async Task<Dictionary<string, JsonElement?>> ReadAllObjectsAsync(List<ObjectPartName> parts, PointContent content, Tally tally, CancellationToken ct)
    {
        var read = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        foreach (var o in parts) read[o.Part] = await ReadJsonAsync(content, o.Part, Describe(o), tally, ct);
        return read;
    }

    static string Describe(ObjectPartName o) => o.PrivateOwnerId is null ? $"{o.Class} {o.QId}" : $"{o.Class} {o.QId} (private, owner {o.PrivateOwnerId})";

    static void CompareObjects(
        List<ObjectPartName> parts, IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>? owners, PointContent content,
        LiveAppContent live, Tally tally, Dictionary<string, JsonElement?> expected)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in parts)
        {
            // A private object of a user the checklist says is not in the target tenant could not be created: on the checklist, not compared.
            if (o.PrivateOwnerId is { } privateOwner && tally.Unplaced(privateOwner)) continue;
            tally.Count();
            string name = Describe(o);
            string liveName = ObjectPartName.Of(o.Class, o.QId, o.PrivateOwnerId is null ? null : tally.Map(o.PrivateOwnerId)).Part;
            seen.Add(liveName);
            int before = tally.Differences.Count;
            var info = owners?.GetValueOrDefault((o.Class, o.QId));
            if (live.Snapshot.Find(liveName) is null && o.PrivateOwnerId is null && info?.OwnerId is { } owner
                && ObjectPartName.Of(o.Class, o.QId, tally.Map(owner)).Part is var asPrivate && live.Snapshot.Find(asPrivate) is not null)
            {
                liveName = asPrivate;
                seen.Add(liveName);
            }
            if (live.Snapshot.Find(liveName) is not { Json: { } actual })
            {
                tally.Differ(name, "exists", "present", null);
                continue;
            }
            if (expected[o.Part] is not { } want) continue;  // unreadable in the point: already a difference
            {
                string h1 = Hash(want), h2 = Hash(actual);
                if (h1 != h2)
                {
                    var first = JsonTools.Diff(want, actual).FirstOrDefault();
                    tally.Differ(name, first is null ? "content (canonical JSON SHA-256)" : $"content {first.Path}",
                        first?.Old ?? h1[..16], first?.New ?? h2[..16]);
                }
            }
            if (info is not null && live.Objects.GetValueOrDefault(liveName) is { } now)
            {
                if (info.OwnerId is null || !tally.Unplaced(info.OwnerId)) tally.Expect(name, "owner", info.OwnerId is null ? null : tally.Map(info.OwnerId), now.OwnerId);
                tally.Expect(name, "published", info.Published.ToString(), now.Published.ToString());
                tally.Expect(name, "approved", info.Approved.ToString(), now.Approved.ToString());
            }
            if (tally.Differences.Count == before) tally.Equal();
        }
        foreach (var extra in live.Snapshot.Parts.Keys.Where(k => ObjectPartName.Parse(k) is not null && !seen.Contains(k)))
            tally.Differ(Describe(ObjectPartName.Parse(extra)!), "exists", null, "present");
    }

    async Task CompareScriptAndPropertiesAsync(PointContent content, LiveAppContent live, Tally tally, CancellationToken ct)
    {
        if (content.Has(CapturePartNames.Script))
        {
            tally.Count();
            try
            {
                var want = SnapshotPart.OfText(await content.ReadTextAsync(CapturePartNames.Script, ct));
                if (live.Snapshot.Find(CapturePartNames.Script) is { } got && want.SameAs(got)) tally.Equal();
                else tally.Differ("script", "load script", $"{want.Text?.Length} characters", $"{live.Snapshot.Find(CapturePartNames.Script)?.Text?.Length} characters");
            }
            catch (Exception ex) when (Unreadable(ex))
            {
                tally.Differ("script", "stored content readable", "yes", ex.Message);
            }
        }
        if (content.Has(CapturePartNames.AppProperties) && await ReadJsonAsync(content, CapturePartNames.AppProperties, "appprops", tally, ct) is { } props)
        {
            tally.Count();
            int before = tally.Differences.Count;
            if (live.Snapshot.Find(CapturePartNames.AppProperties)?.Json is { } got) CompareDocuments("app properties", props, got, tally);
            else tally.Differ("app properties", "exists", "present", null);
            if (tally.Differences.Count == before) tally.Equal();
        }
    }

    /// <summary>Name, description, owner, publish state, the published copy's source app, the space and its type.</summary>
    async Task CompareAttributesAsync(RecoveryPoint point, PointContent content, QlikApp app, Tally tally, CancellationToken ct)
    {
        if (!content.Has(CapturePartNames.App)) return;
        if (await ReadRawAsync(content, CapturePartNames.App, tally, ct) is not { } doc) return;
        tally.Count();
        int before = tally.Differences.Count;
        JsonElement attrs = doc.TryGetProperty("attributes", out var a) ? a : doc;
        tally.Expect("(app)", "name", JsonTools.GetString(attrs, "name"), app.Name);
        tally.Expect("(app)", "description", JsonTools.GetString(attrs, "description") ?? "", app.Description ?? "");
        if ((JsonTools.GetString(attrs, "ownerId") ?? JsonTools.GetString(attrs, "owner")) is { } owner && !tally.Unplaced(owner)) tally.Expect("(app)", "owner", tally.Map(owner), app.OwnerId);
        tally.Expect("(app)", "published", JsonTools.GetBool(attrs, "published").ToString(), app.Published.ToString());
        if (JsonTools.GetString(attrs, "originAppId") is { Length: > 0 } origin)
        {
            // A copy rebuilt in another tenant together with its source (the id map names it) links to that source there.
            if (!tally.Request.Isolated || tally.Request.IdMap.ContainsKey(origin)) tally.Expect("(app)", "originAppId (published copy → source app)", tally.Map(origin), app.OriginAppId);
            // Production republishing over a drill copy would break its isolation: it must not point at the production source.
            else if (app.OriginAppId == origin) tally.Differ("(app)", "originAppId (isolated from production)", "not " + origin, origin);
        }
        // A personal app has no space: Qlik writes spaceId "" and capture files it under "personal".
        string? space = JsonTools.GetString(attrs, "spaceId") is { Length: > 0 } captured ? captured : point.SpaceId is CaptureService.PersonalSpaceId ? null : point.SpaceId;
        string? expectedSpace = tally.Request.ExpectedSpaceId ?? (space is null ? null : tally.Map(space));
        tally.Expect("(app)", "space", expectedSpace, app.SpaceId);
        if (space is not null && app.SpaceId is not null && await rest.GetSpaceAsync(space, ct) is { } original && await rest.GetSpaceAsync(app.SpaceId, ct) is { } now)
            tally.Expect("(app)", "space type", original.Type, now.Type);
        if (tally.Differences.Count == before) tally.Equal();
    }

    /// <summary>Reload tasks, data alerts and subscriptions kept in the app point: each must exist, pointing at the restored app.</summary>
    async Task CompareAttachedAsync(RecoveryPoint point, PointContent content, QlikApp app, LiveAppContent live, ResourceListings listings, Tally tally, CancellationToken ct)
    {
        var idMap = new Dictionary<string, string>(tally.Request.IdMap) { [point.AssetId] = app.Id };
        foreach (var (part, kind) in LiveApp.AttachedParts)
        {
            if (tally.Request.Isolated && kind is AssetKind.DataAlert or AssetKind.Subscription) continue;
            if (!content.Has(part) || await ReadRawAsync(content, part, tally, ct) is not { ValueKind: JsonValueKind.Array } items) continue;
            var actual = live.Attached.GetValueOrDefault(part) ?? [];
            var unmatched = actual.Select(r => Comparable(kind, r.Raw, null, false)).ToList();
            foreach (var item in items.EnumerateArray())
            {
                tally.Count();
                string name = $"{kind} '{JsonTools.GetString(item, "name") ?? JsonTools.GetString(item, "id")}'";
                var want = Comparable(kind, item, idMap, tally.Request.Isolated && kind == AssetKind.ReloadTask);
                int at = unmatched.FindIndex(u => JsonTools.SameContent(u, want));
                if (at >= 0)
                {
                    unmatched.RemoveAt(at);
                    tally.Equal();
                    continue;
                }
                if (unmatched.Count > 0)
                {
                    // Closest live item of the kind: name the attributes that differ (schedule, state, ...).
                    var closest = unmatched.OrderBy(u => JsonTools.Diff(want, u).Count).First();
                    unmatched.Remove(closest);
                    foreach (var change in JsonTools.Diff(want, closest)) tally.Differ(name, change.Path, change.Old, change.New);
                    continue;
                }
                // Same content attached to another app (typically the old id): a link that was not remapped.
                var elsewhere = (await listings.ListAsync(ResourceShapes.RestKind(kind)!.Value, ct))
                    .FirstOrDefault(r => !LiveApp.IsAttachedTo(r.Raw, app.Id)
                        && JsonTools.SameContent(Comparable(kind, r.Raw, new Dictionary<string, string> { [AppIdOf(r.Raw) ?? ""] = app.Id }, false), want));
                if (elsewhere is not null) tally.Differ(name, "appId (link to app)", app.Id, AppIdOf(elsewhere.Raw));
                else tally.Differ(name, "exists", "present", null);
            }
            foreach (var extra in unmatched)
                tally.Differ($"{kind} '{JsonTools.GetString(extra, "name")}'", "exists", null, "present");
        }
    }

    static string? AppIdOf(JsonElement resource)
        => JsonTools.GetString(resource, "appId") ?? JsonTools.GetString(resource, "appid") ?? JsonTools.GetString(resource, "appID");

    /// <summary>Without read-only and run-time members (as capture leaves them out), old ids remapped.</summary>
    static JsonElement Comparable(AssetKind kind, JsonElement resource, IReadOnlyDictionary<string, string>? idMap, bool disabled)
    {
        var node = JsonTools.Without(resource, ResourceShapes.ReadOnlyFields.Concat(CaptureService.VolatileOf(kind) ?? new HashSet<string>()));
        if (idMap is { Count: > 0 }) JsonTools.Remap(node, idMap);
        if (disabled && node.ContainsKey("state")) node["state"] = "Disabled";
        return JsonTools.ToElement(node);
    }
}
