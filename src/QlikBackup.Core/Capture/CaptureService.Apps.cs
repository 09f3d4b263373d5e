using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    /// <summary>Generic-object types that are always top-level (their property trees hold the charts, slides ...).</summary>
    static readonly HashSet<string> ContainerTypes = new(StringComparer.Ordinal) { "sheet", "story", "masterobject", "appprops", "LoadModel" };

    /// <summary>The app's modifiedDate moves with every save; the point's watermark keeps it, the stored JSON does not.</summary>
    static readonly HashSet<string> AppVolatileMembers = new(StringComparer.Ordinal) { "attributes.modifiedDate", "links" };

    /// <summary>Resources stored inside their app's point, with the part each goes to.</summary>
    static readonly (QlikResourceKind Kind, AssetKind AsKind, string Part)[] AttachedKinds =
    [
        (QlikResourceKind.ReloadTask, AssetKind.ReloadTask, CapturePartNames.ReloadTasks),
        (QlikResourceKind.DataAlert, AssetKind.DataAlert, CapturePartNames.DataAlerts),
        (QlikResourceKind.SharingTask, AssetKind.Subscription, CapturePartNames.Subscriptions),
    ];

    async Task<AssetCaptureResult> CaptureAppAsync(AssetRef asset, Tier tier, Baseline baseline, CancellationToken ct)
    {
        QlikApp? app = await rest.GetAppAsync(asset.Id, ct);
        if (app is null)
        {
            return await RecordDeletedAsync(asset, tier, baseline.Latest, ct);
        }

        string spaceId = string.IsNullOrEmpty(app.SpaceId) ? PersonalSpaceId : app.SpaceId;
        if (IsOlderThanNewest(app.ModifiedDate, baseline, spaceId))
        {
            return Unchanged(asset, baseline);
        }

        IReadOnlyDictionary<string, byte[]> attached = await AttachedPartsAsync(app.Id, ct);
        (Manifest? previous, bool damaged) = await ReadPreviousAsync(baseline.LastCaptured, ct);
        var writer = new PartWriter(store, TenantId, PartParallelism, previous, ct);
        // A damaged previous point is never "unchanged": its lost parts are read again and stored.
        bool appUnmodified = !damaged && baseline.CanBeUnchanged && previous is not null && baseline.Latest!.SpaceId == spaceId
            && app.ModifiedDate is { } modified && baseline.Latest.SourceModifiedAt == modified;
        if (appUnmodified)
        {
            // Qlik says the app is as captured. Schedules, alerts and subscriptions change without modifiedDate moving,
            // so only they are compared (by hash, nothing stored); if one changed, every other part is carried over.
            if (attached.All(a => previous!.Find(a.Key) is { } p && string.Equals(p.Sha256, PartWriter.Sha256Hex(a.Value), StringComparison.OrdinalIgnoreCase)))
            {
                return Unchanged(asset, baseline);
            }

            foreach (ManifestPart part in previous!.Parts.Where(p => p.Name != CapturePartNames.App && !attached.ContainsKey(p.Name)))
            {
                writer.Reuse(part);
            }
        }
        else
        {
            await CaptureAppContentAsync(app, spaceId, previous, writer, ct);
        }

        writer.Add(CapturePartNames.App, CanonicalJson.Serialize(app.Raw, AppVolatileMembers), CapturePartNames.JsonMediaType);
        foreach ((string name, byte[] content) in attached)
        {
            writer.Add(name, content, CapturePartNames.JsonMediaType);
        }

        var identity = new PointIdentity(app.Name, spaceId, await SpaceNameAsync(spaceId, ct), app.OwnerId, app.ModifiedDate);
        return await FinishAsync(asset, tier, baseline, writer, identity, previous, ct);
    }

    /// <summary>Script, app properties, every object (one part each), private objects of every owner, and the QVF.</summary>
    async Task CaptureAppContentAsync(QlikApp app, string spaceId, Manifest? previous, PartWriter writer, CancellationToken ct)
    {
        var notes = new List<string>();
        var stored = new ConcurrentBag<EngineObjectInfo>();
        IReadOnlyList<EngineObjectInfo> visible;
        var capturedIds = new HashSet<string>(StringComparer.Ordinal);
        await using (IEngineAppSession session = await engine.OpenAppAsync(app.Id, new EngineSessionOptions(NoData: true), ct))
        {
            string script = await session.GetScriptAsync(ct);
            writer.Add(CapturePartNames.Script, Encoding.UTF8.GetBytes(script), CapturePartNames.TextMediaType);
            JsonElement appProperties = await session.GetAppPropertiesAsync(ct);
            writer.Add(CapturePartNames.AppProperties, CanonicalJson.Serialize(appProperties), CapturePartNames.JsonMediaType);

            visible = await session.ListObjectsAsync(ct);
            var roots = await ReadRootsAsync(session, visible, ct);
            StoreObjects(writer, roots, o => CapturePartNames.Object(o.Class, o.QId), stored);
            capturedIds.UnionWith(visible.Select(o => o.QId));
        }

        await CapturePrivateObjectsAsync(app, spaceId, visible, capturedIds, writer, notes, stored, ct);
        writer.Add(CapturePartNames.Objects, ObjectIndex.Serialize(stored), CapturePartNames.JsonMediaType);

        ManifestPart? previousQvf = previous?.Find(CapturePartNames.Qvf);
        if (previousQvf is not null && await SameLastReloadAsync(previous!, app, ct))
        {
            // Same data as the exported QVF; objects and script are captured as parts, so the QVF is not exported again.
            writer.Reuse(previousQvf);
        }
        else
        {
            await using Stream qvf = await rest.ExportAppAsync(app.Id, noData: !Options.ExportQvfWithData, ct);
            await writer.AddAsync(CapturePartNames.Qvf, qvf, CapturePartNames.QvfMediaType);
        }

        if (notes.Count > 0)
        {
            writer.Add(CapturePartNames.CaptureNotes, CanonicalJson.SerializeStrings(notes), CapturePartNames.JsonMediaType);
        }
    }

    /// <summary>
    /// Qlik shows a user's private objects only to that user, so each possible owner gets an impersonated session.
    /// Possible owners are the users who can open the app (see <see cref="CaptureOptions.CapturePrivateObjects"/>).
    /// </summary>
    async Task CapturePrivateObjectsAsync(
        QlikApp app, string spaceId, IReadOnlyList<EngineObjectInfo> visible, HashSet<string> capturedIds, PartWriter writer, List<string> notes,
        ConcurrentBag<EngineObjectInfo> stored, CancellationToken ct)
    {
        if (!Options.CapturePrivateObjects) return;
        if (string.IsNullOrEmpty(qlik.Value.OAuthClientId) || string.IsNullOrEmpty(qlik.Value.OAuthClientSecret))
        {
            notes.Add("Private objects of other users are not captured: impersonation needs Qlik:OAuthClientId and Qlik:OAuthClientSecret of an OAuth client allowed to impersonate.");
            return;
        }

        // One session per owner, a few at a time; each owner's private objects are visible only in their own session.
        var refused = new ConcurrentBag<string>();
        IReadOnlyList<string> owners = await PrivateOwnerCandidatesAsync(app, spaceId, visible, ct);
        await Parallel.ForEachAsync(owners, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, PartParallelism), CancellationToken = ct }, async (owner, c) =>
        {
            try
            {
                await using IEngineAppSession session = await engine.OpenAppAsync(app.Id, new EngineSessionOptions(NoData: true, ImpersonateUserId: owner), c);
                var own = (await session.ListObjectsAsync(c)).Where(o => !o.Published && o.OwnerId == owner && !capturedIds.Contains(o.QId)).ToList();
                if (own.Count == 0) return;
                StoreObjects(writer, await ReadRootsAsync(session, own, c), o => CapturePartNames.PrivateObject(owner, o.Class, o.QId), stored);
            }
            catch (Exception ex) when (RefusedAccess(ex) is { } status)
            {
                // The user cannot open the app (no access any more, disabled, not impersonable): nothing of theirs is readable.
                log.LogWarning("Private objects of user {Owner} in app {AppId} not captured: Qlik answered {Status}.", owner, app.Id, status);
                refused.Add($"Private objects of user {owner} are not captured: opening the app as that user was refused ({status}).");
            }
        });
        notes.AddRange(refused.Order(StringComparer.Ordinal));
    }

    /// <summary>The status when Qlik refused a session (token, WebSocket upgrade or OpenDoc); null for anything else.</summary>
    static int? RefusedAccess(Exception ex) => ex switch
    {
        QlikApiException api when api.Status is >= 400 and < 500 => api.Status,
        QlikEngineException engineError when engineError.Code is 401 or 403 or 404 or QixErrorCodes.AccessDenied or QixErrorCodes.AppNotFound => engineError.Code,
        _ => null,
    };

    async Task<IReadOnlyList<string>> PrivateOwnerCandidatesAsync(QlikApp app, string spaceId, IReadOnlyList<EngineObjectInfo> visible, CancellationToken ct)
    {
        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (EngineObjectInfo o in visible) if (!string.IsNullOrEmpty(o.OwnerId)) owners.Add(o.OwnerId);
        if (!string.IsNullOrEmpty(app.OwnerId)) owners.Add(app.OwnerId);
        if (spaceId is not (PersonalSpaceId or SpaceCaptureTarget.TenantConfigSpaceId))
        {
            owners.UnionWith(await SpaceMembersAsync(spaceId, ct));
            owners.UnionWith((await ListResourcesAsync(QlikResourceKind.User, ct))
                .Where(u => NamesOf(u.Raw, "assignedRoles").Any(r => AllContentRoles.Contains(r))).Select(u => u.Id));
        }

        return owners.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Roles that open every app of the tenant.</summary>
    static readonly HashSet<string> AllContentRoles = new(StringComparer.OrdinalIgnoreCase) { "TenantAdmin", "AnalyticsAdmin" };

    /// <summary>The space owner, users assigned directly, and members of groups assigned (from the users' assignedGroups).</summary>
    Task<IReadOnlyList<string>> SpaceMembersAsync(string spaceId, CancellationToken ct)
        => cache.GetAsync<IReadOnlyList<string>>(ListingScope, $"space-members:{spaceId}", ListingLifetime, async c =>
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            QlikSpace? space = await rest.GetSpaceAsync(spaceId, c);
            if (space is null) return [];
            if (!string.IsNullOrEmpty(space.OwnerId)) members.Add(space.OwnerId);
            var groups = new HashSet<string>(StringComparer.Ordinal);
            await foreach (QlikSpaceAssignment a in rest.ListSpaceAssignmentsAsync(spaceId, c))
            {
                if (string.Equals(a.Type, "group", StringComparison.OrdinalIgnoreCase)) groups.Add(a.AssigneeId);
                else members.Add(a.AssigneeId);
            }

            if (groups.Count > 0)
            {
                foreach (QlikResource user in await ListResourcesAsync(QlikResourceKind.User, c))
                {
                    if (NamesOf(user.Raw, "assignedGroups", "id").Any(groups.Contains)) members.Add(user.Id);
                }
            }

            return members.ToList();
        }, ct);

    /// <summary>Entries of a user's array member (assignedGroups, assignedRoles): plain strings or objects with <paramref name="key"/>.</summary>
    static IEnumerable<string> NamesOf(JsonElement user, string member, string key = "name")
    {
        if (user.ValueKind != JsonValueKind.Object || !user.TryGetProperty(member, out JsonElement items) || items.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (JsonElement item in items.EnumerateArray())
        {
            string? value = item.ValueKind == JsonValueKind.String ? item.GetString() : JsonMembers.Str(item, key);
            if (!string.IsNullOrEmpty(value)) yield return value;
        }
    }

    /// <summary>
    /// Top-level objects with their property trees. Containers (sheets, stories, master visualisations) are read first; a
    /// generic object inside one of their trees (a chart on a sheet) is part of that tree and not read or stored again, so
    /// a change to one sheet is one new object blob.
    /// </summary>
    async Task<List<(EngineObjectInfo Info, JsonElement Properties)>> ReadRootsAsync(
        IEngineAppSession session, IEnumerable<EngineObjectInfo> candidates, CancellationToken ct)
    {
        var all = candidates.DistinctBy(o => (o.Class, o.QId)).ToList();
        var first = all.Where(o => o.Class != EngineObjectClass.GenericObject || ContainerTypes.Contains(o.QType)).ToList();
        var roots = await ReadPropertiesAsync(session, first, ct);
        var nested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in roots) CollectChildIds(r.Properties, nested);

        var others = all.Where(o => o.Class == EngineObjectClass.GenericObject && !ContainerTypes.Contains(o.QType) && !nested.Contains(o.QId)).ToList();
        if (others.Count > 0)
        {
            var more = await ReadPropertiesAsync(session, others, ct);
            var nestedInOthers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in more) CollectChildIds(m.Properties, nestedInOthers);
            roots.AddRange(more.Where(m => !nestedInOthers.Contains(m.Info.QId)));
        }

        return roots;
    }

    async Task<List<(EngineObjectInfo Info, JsonElement Properties)>> ReadPropertiesAsync(
        IEngineAppSession session, IReadOnlyList<EngineObjectInfo> objects, CancellationToken ct)
    {
        var read = new ConcurrentBag<(EngineObjectInfo, JsonElement)>();
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = PartParallelism, CancellationToken = ct }, async (o, c) =>
        {
            read.Add((o, await session.GetPropertiesAsync(o.Class, o.QId, c)));
        });
        return read.ToList();
    }

    static void StoreObjects(
        PartWriter writer, IEnumerable<(EngineObjectInfo Info, JsonElement Properties)> objects, Func<EngineObjectInfo, string> partName,
        ConcurrentBag<EngineObjectInfo> stored)
    {
        foreach (var o in objects)
        {
            writer.Add(partName(o.Info), CanonicalJson.Serialize(o.Properties), CapturePartNames.JsonMediaType);
            stored.Add(o.Info);
        }
    }

    /// <summary>qIds of every descendant in a qPropEntry tree (<c>{qProperty:{qInfo:{qId}}, qChildren:[...]}</c>).</summary>
    static void CollectChildIds(JsonElement entry, HashSet<string> into)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("qChildren", out JsonElement children) || children.ValueKind != JsonValueKind.Array)
            return;
        foreach (JsonElement child in children.EnumerateArray())
        {
            if (child.ValueKind == JsonValueKind.Object && child.TryGetProperty("qProperty", out JsonElement prop)
                && prop.ValueKind == JsonValueKind.Object && prop.TryGetProperty("qInfo", out JsonElement info) && JsonMembers.Str(info, "qId") is { } id)
            {
                into.Add(id);
            }

            CollectChildIds(child, into);
        }
    }

    /// <summary>Whether the app's lastReloadTime equals the one recorded in the previous point's "app" part.</summary>
    async Task<bool> SameLastReloadAsync(Manifest previous, QlikApp app, CancellationToken ct)
    {
        if (previous.Find(CapturePartNames.App) is not { } part) return false;
        await using Stream stream = await store.OpenReadAsync(TenantId, part.ContentRef, ct);
        using JsonDocument doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        JsonElement root = doc.RootElement;
        JsonElement attributes = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("attributes", out JsonElement a) ? a : root;
        string? recorded = JsonMembers.Str(attributes, "lastReloadTime");
        DateTimeOffset? previousReload = DateTimeOffset.TryParse(recorded, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset t) ? t : null;
        return previousReload == app.LastReloadTime;
    }

    /// <summary>The app's reload tasks, data alerts and subscriptions, each as a canonical JSON array ordered by id (from the
    /// run's listings; a capture outside a run reads them fresh).</summary>
    async Task<IReadOnlyDictionary<string, byte[]>> AttachedPartsAsync(string appId, CancellationToken ct)
    {
        var parts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach ((QlikResourceKind kind, AssetKind asKind, string part) in AttachedKinds)
        {
            IReadOnlyList<QlikResource> all;
            try
            {
                all = await ListResourcesAsync(kind, ct);
            }
            catch (QlikApiException ex) when (ex.Status is 403 or 404)
            {
                // The feature is off in this tenant (or not licensed): nothing of this kind exists to capture.
                log.LogDebug("{Kind} not listed ({Status}); captured as empty.", kind, ex.Status);
                all = [];
            }

            parts[part] = CanonicalJson.SerializeArray(
                all.Where(r => AppIdOf(r.Raw) == appId).OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => r.Raw), VolatileOf(asKind));
        }

        return parts;
    }

    static string? AppIdOf(JsonElement raw) => JsonMembers.Str(raw, "appId") ?? JsonMembers.Str(raw, "appid");
}
