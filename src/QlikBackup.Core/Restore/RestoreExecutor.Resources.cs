using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution, tenant configuration resources (and connections/automations of a space): replaced in place or recreated.
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        /// <summary>A live resource with exactly this content (what an interrupted attempt created), for kinds without a natural key.</summary>
        async Task<string?> FindEquivalentAsync(QlikResourceKind kind, JsonElement body, CancellationToken ct)
        {
            var wanted = SnapshotPart.OfJson(CapturePartNames.Resource, body);
            return (await _listings.ListAsync(kind, ct)).FirstOrDefault(r => SnapshotPart.OfJson(CapturePartNames.Resource, r.Raw).SameAs(wanted))?.Id;
        }

        async Task<(string?, string?)> ApplyResourceAsync(RestoreAction action, CancellationToken ct)
        {
            var content = await ContentAsync(action.PointId!, ct);
            var doc = await content.ReadJsonAsync(CapturePartNames.Resource, ct);
            var restKind = ResourceShapes.RestKind(action.AssetKind)!.Value;
            var body = ForTarget(action.AssetKind, ResourceShapes.Body(action.AssetKind, doc, _idMap));
            if (action.AssetKind == AssetKind.User)
                body = ResourceShapes.WithoutMissingGroups(body, (await _listings.ListAsync(QlikResourceKind.Group, ct)).Select(g => g.Id).ToHashSet(StringComparer.Ordinal));
            // Replace the resource found at planning, or one recognised now by id or natural key (an interrupted attempt's creation).
            string? liveId = action.ObjectId ?? (await _listings.FindAsync(action.AssetKind, action.AssetId, doc, _idMap, ct))?.Id;
            if (liveId is null && ResourceShapes.NaturalKey(action.AssetKind, doc) is null) liveId = await FindEquivalentAsync(restKind, body, ct);
            if (liveId is not null)
            {
                var live = await x.Rest.GetAsync(restKind, liveId, ct);
                if (live is null || !SnapshotPart.OfJson(CapturePartNames.Resource, live.Raw).SameAs(SnapshotPart.OfJson(CapturePartNames.Resource, body)))
                    await x.Rest.ReplaceAsync(restKind, liveId, body, ct);
                // An earlier attempt may have created it and lost the change-owner that follows.
                if (live is not null && ResourceShapes.HowOwned(action.AssetKind) == ResourceShapes.OwnerMeans.ChangeOwner
                    && await LiveOwnerAsync(action.AssetKind, doc, ct) is { } owner && ResourceShapes.OwnerOf(action.AssetKind, live.Raw) != owner)
                    await x.Rest.ChangeOwnerAsync(restKind, liveId, owner, ct);
                return (action.AssetId, liveId);
            }
            string created;
            if (action.AssetKind == AssetKind.Theme && content.Has(CapturePartNames.File))
            {
                await using var zip = await content.OpenAsync(CapturePartNames.File, ct);
                created = (await x.Rest.UploadThemeAsync(zip, $"{action.Name ?? action.AssetId}.zip", ct)).Id;
            }
            else if (action.AssetKind == AssetKind.User && plan.Request.IdMap is not null)
            {
                if (await TryCreateUserInOtherTenantAsync(action, restKind, doc, body, ct) is not { } user) return (action.AssetId, null);
                created = user;
            }
            else
            {
                created = await CreateOwnedAsync(action.AssetKind, restKind, doc, body, ct);
            }
            _listings.Invalidate(restKind);
            return (action.AssetId, created);
        }

        /// <summary>
        /// Creates a resource so it belongs to its captured owner by Qlik's own means: change-owner after creating it where Qlik has
        /// that action, else created as the owner (impersonation). When the owner is gone the plan's checklist says so. When Qlik
        /// refuses the impersonated create (the owner may not create there, or only an API key is configured) the restore principal
        /// owns it, and that is never silent: the result's checklist names the resource, its owner and the manual step.
        /// </summary>
        async Task<string> CreateOwnedAsync(AssetKind kind, QlikResourceKind restKind, JsonElement doc, JsonElement body, CancellationToken ct)
        {
            string? owner = await LiveOwnerAsync(kind, doc, ct);
            switch (owner is null ? ResourceShapes.OwnerMeans.None : ResourceShapes.HowOwned(kind))
            {
                case ResourceShapes.OwnerMeans.ChangeOwner:
                    string id = (await x.Rest.CreateAsync(restKind, body, ct)).Id;
                    await x.Rest.ChangeOwnerAsync(restKind, id, owner!, ct);
                    return id;
                case ResourceShapes.OwnerMeans.CreateAsOwner:
                    try
                    {
                        return (await x.Rest.CreateAsAsync(restKind, body, owner!, ct)).Id;
                    }
                    catch (Exception ex) when (ex is InvalidOperationException || (ex is QlikApiException q && q.Status is 400 or 401 or 403))
                    {
                        string created = (await x.Rest.CreateAsync(restKind, body, ct)).Id;
                        string name = ResourceShapes.DisplayName(kind, doc, created);
                        string who = await UserLabelAsync(owner!, ct);
                        // Qlik has no change-owner for these kinds: only the owner can create one they own.
                        Note($"{kind} '{name}' (new id {created}) is owned by the restore principal, not by its owner {who}: Qlik refused to create it as "
                            + $"that user ({Reason(ex)}). Manual step: sign in as {who}, create {kind} '{name}' again with the settings of {created}, then delete {created}.");
                        x.Log.LogWarning("Restore {RestoreId}: {Kind} {Id} could not be created as its owner {Owner} ({Reason}); on the checklist.",
                            plan.RestoreId, kind, created, owner, ex.Message);
                        return created;
                    }
                default:
                    return (await x.Rest.CreateAsync(restKind, body, ct)).Id;
            }
        }

        static string Reason(Exception ex) => ex is QlikApiException q ? $"Qlik answered {q.Status}" : ex.Message;

        async Task<string> UserLabelAsync(string userId, CancellationToken ct)
            => (await _listings.ListAsync(QlikResourceKind.User, ct)).FirstOrDefault(u => u.Id == userId) is { } u
                && (JsonTools.GetString(u.Raw, "name") ?? JsonTools.GetString(u.Raw, "email")) is { } n ? $"'{n}' ({userId})" : userId;

        /// <summary>The captured owner when that user still exists.</summary>
        async Task<string?> LiveOwnerAsync(AssetKind kind, JsonElement doc, CancellationToken ct)
            => InTarget(ResourceShapes.OwnerOf(kind, doc)) is { } owner && (await _listings.ListAsync(QlikResourceKind.User, ct)).Any(u => u.Id == owner) ? owner : null;
    }
}
