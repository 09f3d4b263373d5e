using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>Puts a validated app back into production (see <see cref="IRestoreService.PromoteAsync"/>).</summary>
internal sealed class RestorePromoter(IQlikRestClient rest, IQlikEngine engine)
{
    public async Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Operator))
            throw RestorePlanner.Bad("Operator is required", "Name the operator who promotes the app.");
        var validated = await rest.GetAppAsync(request.ValidationAppId, ct)
            ?? throw new RestoreRequestException(404, "Validation app not found", $"App '{request.ValidationAppId}' does not exist.");

        if (!string.IsNullOrWhiteSpace(request.ProductionAppId))
        {
            if (request.ProductionAppId == validated.Id)
                throw RestorePlanner.Bad("Same app", "The validation app and the production app are the same app.");
            var production = await rest.GetAppAsync(request.ProductionAppId, ct)
                ?? throw new RestoreRequestException(404, "Production app not found",
                    $"App '{request.ProductionAppId}' does not exist. To put the validated app into a space that has no copy, give targetSpaceId instead.");
            var space = production.SpaceId is null ? null : await rest.GetSpaceAsync(production.SpaceId, ct);
            if (production.Published || space?.Type == "managed")
            {
                // Qlik republishes only from the app a published copy came from: its origin gets the validated content, then is republished.
                var origin = production.OriginAppId is { } o ? await rest.GetAppAsync(o, ct) : null;
                if (origin is null)
                    throw new RestoreRequestException(409, "Published app has no source app",
                        $"App '{production.Name}' ({production.Id}) was published from app '{production.OriginAppId}', which no longer exists. Restore that app first, then promote into it.");
                var changes = (await ReplaceContentAsync(validated.Id, origin.Id, ct)).ToList();
                var republished = await rest.RepublishAppAsync(origin.Id, production.Id, ct: ct);
                changes.Add($"Republished source app '{origin.Name}' ({origin.Id}) over '{production.Name}' ({production.Id}).");
                return new PromoteResult(republished.Id, PromoteMethod.Republish, changes);
            }
            return new PromoteResult(production.Id, PromoteMethod.ReplaceContent, await ReplaceContentAsync(validated.Id, production.Id, ct));
        }

        if (string.IsNullOrWhiteSpace(request.TargetSpaceId))
            throw RestorePlanner.Bad("No production target", "Give productionAppId (the app to replace) or targetSpaceId (a space to put the validated app into).");
        var target = await rest.GetSpaceAsync(request.TargetSpaceId, ct)
            ?? throw new RestoreRequestException(404, "Target space not found", $"Space '{request.TargetSpaceId}' does not exist.");
        await foreach (var item in rest.ListItemsAsync("app", target.Id, ct))
        {
            var existing = await rest.GetAppAsync(item.ResourceId, ct);
            if (existing is null) continue;
            // Promoting twice must not make a second copy.
            if (existing.OriginAppId == validated.Id) return new PromoteResult(existing.Id, target.Type == "managed" ? PromoteMethod.Publish : PromoteMethod.Copy, []);
            if (target.Type != "managed" && existing.Name == validated.Name)
                throw new RestoreRequestException(409, "An app with that name exists",
                    $"Space '{target.Name}' already holds app '{existing.Name}' ({existing.Id}); give it as productionAppId to replace its content.");
        }
        if (target.Type == "managed")
        {
            var published = await rest.PublishAppAsync(validated.Id, target.Id, validated.Name, ct: ct);
            return new PromoteResult(published.Id, PromoteMethod.Publish, [$"Published '{validated.Name}' into managed space '{target.Name}'."]);
        }
        var copy = await rest.CopyAppAsync(validated.Id, validated.Name, target.Id, ct);
        return new PromoteResult(copy.Id, PromoteMethod.Copy, [$"Copied '{validated.Name}' into space '{target.Name}' as {copy.Id}."]);
    }

    /// <summary>Replaces the production app's script and visible objects with the validated app's, keeping its id, data and tasks.</summary>
    async Task<IReadOnlyList<string>> ReplaceContentAsync(string sourceId, string productionId, CancellationToken ct)
    {
        var changes = new List<string>();
        await using var sessions = new EngineSessions(engine, forWrite: true);
        var source = await sessions.GetAsync(sourceId, null, ct);
        var production = await sessions.GetAsync(productionId, null, ct);
        var wanted = await LiveApp.TopLevelObjectsAsync(source, _ => true, ct);
        var present = await LiveApp.TopLevelObjectsAsync(production, _ => true, ct);
        foreach (var (info, props) in wanted)
        {
            var (kind, qId) = await production.UpsertAsync(info.Class, info.QId, props, ct);
            // A recreated object starts private to its creator; it gets the validated copy's publish state.
            bool republished = info.Class != EngineObjectClass.Variable
                && await production.SetPublishStateAsync(info.Class, qId, info.Published, info.Approved, ct);
            if (kind != RestoreActionKind.Skip || republished) changes.Add($"{(kind == RestoreActionKind.Skip ? "Publish" : kind)} {info.QType} {qId}");
        }
        var keep = wanted.Select(w => (w.Info.Class, w.Info.QId)).ToHashSet();
        foreach (var (info, _) in present)
        {
            if (keep.Contains((info.Class, info.QId)) || !LiveApp.RemovableTypes.Contains(info.QType)) continue;
            if (await production.DestroyAsync(info.Class, info.QId, ct)) changes.Add($"Delete {info.QType} {info.QId}");
        }
        if (await production.SetScriptAsync(await source.Engine.GetScriptAsync(ct), ct)) changes.Add("Replace load script");
        await sessions.SaveAsync(productionId, ct);
        return changes;
    }
}
