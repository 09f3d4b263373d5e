using System.Diagnostics;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Fidelity;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Drill;

// The whole-tenant drill: the newest good points of the tenant rebuilt in the empty standby tenant, each checked there.
public sealed partial class DrillService
{
    /// <summary>What a standby rebuild does not check or bring back; listed in every Tenant drill report.</summary>
    public static readonly IReadOnlyList<string> StandbyNotChecked =
    [
        "API keys and the identity provider (tokens and IdP secrets cannot be recreated; configure them in the standby by hand)",
        "identity-provider groups (Qlik creates them when a member first signs in to the standby; the checklist names each)",
        "apps in personal spaces of other owners than the standby's principal (Qlik shows a personal app only to its owner, so the drill's principal could neither create the owner's objects in it nor check it; the checklist names each, with its point, to restore on failover; the principal's own are rebuilt and checked)",
        "data alerts and subscriptions (not attached in the standby: they would notify their recipients twice)",
        "reload task state (recreated Disabled, so the standby does not reload from production's sources; schedules are compared)",
        "automation state (rebuilt disabled, so production's automations do not run in the standby; the checklist names each to enable on failover; the rest is compared)",
        "the link of a published app whose source app is in a personal space (not rebuilt: the copy is published without a source; checked not to link to production)",
        "extra members of a space (content owners are made members, since Qlik lets only members own content; every original assignment is compared)",
    ];

    /// <summary>
    /// The steps of a Tenant drill, in the order a region-loss recovery rebuilds: identities first (users need their groups),
    /// then themes and webhooks, then each space with its members and apps, then what lives in spaces. Each step except the
    /// spaces is one tenant-configuration restore of its kinds; its asset id names the step.
    /// </summary>
    static readonly IReadOnlyList<(string Id, string Name, AssetKind[] Kinds)> StandbySteps =
    [
        ("@identities", "Groups and users", [AssetKind.Group, AssetKind.User]),
        ("@branding", "Themes and webhooks", [AssetKind.Theme, AssetKind.Webhook]),
        ("@connections", "Connections and automations", [AssetKind.DataConnection, AssetKind.AutomationConnection, AssetKind.Automation]),
    ];

    StandbyTenant Standby => standby is { Configured: true } s ? s
        : throw new DrillRequestException(400, "Standby tenant not configured",
            $"A Tenant drill rebuilds the tenant in a standby tenant: set {StandbyOptions.Section}:TenantUrl and its credentials ({StandbyOptions.Section}:ApiKey, or {StandbyOptions.Section}:OAuthClientId and {StandbyOptions.Section}:OAuthClientSecret).");

    async Task<DrillSelection> SelectTenantAsync(string drillId, DrillRequest request, CancellationToken ct)
    {
        var target = Standby;
        // Rebuilt into an empty tenant: a space of the same name there would be written over or refused halfway.
        var spaces = new List<string>();
        await foreach (var s in target.Rest.ListSpacesAsync(ct)) spaces.Add(s.Name ?? s.Id);
        if (spaces.Count > 0)
            throw new DrillRequestException(409, "Standby tenant not empty",
                $"The standby tenant {target.TenantUrl} already has spaces ({string.Join(", ", spaces.Take(5))}); a Tenant drill rebuilds into an empty tenant. Empty it first: a drill run with keepStandby leaves its rebuild there, and POST /api/drills/{drillId}/clean-up (CLI: drill clean-up <drillId>) removes it.");

        var assets = new List<DrillAsset>();
        foreach (var (id, name, kinds) in StandbySteps)
        {
            if (id == "@connections")
            {
                assets.AddRange(await SpaceAssetsAsync(ct));
                // The personal apps the standby's principal will own (see PersonalPointsAsync), after the spaces: nothing links to them.
                assets.AddRange((await PersonalPointsAsync(target, ct)).Rebuilt.Select(p => new DrillAsset(AssetKind.App, p.AssetId, p.Name, p.PointId, p.CapturedAt, p.SpaceId, p.SpaceName)));
            }
            var newest = (await NewestAsync(kinds, ct)).ToList();
            if (newest.Count == 0) continue;
            // The step restores what was captured up to its newest point (RestoreRequest.IncidentTime just after it): assets deleted since are left out.
            var at = newest.Max(p => p.CapturedAt);
            assets.Add(new DrillAsset(kinds[0], id, name, $"{id}@{at.UtcTicks}", at, SpaceCaptureTarget.TenantConfigSpaceId, null));
        }
        if (assets.Count == 0) throw new DrillRequestException(404, "Nothing to drill", "The tenant has no captured recovery points.");
        // What the standby holds now (its own administrators, say): the clean-up removes everything else and leaves this.
        return new DrillSelection(drillId, tenant.TenantId, request, request.Tier ?? Tier.T1, rto.Value.Tenant, null, assets, await StandbyBeforeAsync(target, ct));
    }

    async Task<IEnumerable<RecoveryPoint>> NewestAsync(IEnumerable<AssetKind> kinds, CancellationToken ct)
    {
        var chosen = new List<RecoveryPoint>();
        foreach (var kind in kinds)
        {
            var points = await index.QueryAsync(tenant.TenantId, new RecoveryPointQuery { Kind = kind, Take = 5000 }, ct);
            chosen.AddRange(points.GroupBy(p => p.AssetId).Select(g => g.MaxBy(p => p.CapturedAt)!).Where(p => p.Status == RecoveryPointStatus.Captured));
        }
        return chosen;
    }

    /// <summary>Shared spaces before managed ones: a published copy is linked to its source app, which must be rebuilt first.</summary>
    async Task<IEnumerable<DrillAsset>> SpaceAssetsAsync(CancellationToken ct)
    {
        var spaces = new List<(bool Managed, DrillAsset Asset)>();
        foreach (var p in await NewestAsync([AssetKind.Space], ct))
        {
            if ((p.Name ?? "").StartsWith(O.SpacePrefix, StringComparison.Ordinal)) continue;
            var doc = await (await PointContent.LoadAsync(store, p, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
            spaces.Add((JsonTools.GetString(doc, "type") == "managed", new DrillAsset(AssetKind.Space, p.AssetId, p.Name, p.PointId, p.CapturedAt, p.AssetId, p.Name)));
        }
        return spaces.OrderBy(s => s.Managed).ThenBy(s => s.Asset.Name, StringComparer.Ordinal).Select(s => s.Asset);
    }

    async Task<IReadOnlyList<DrillAssetOutcome>> RunStandbyAssetAsync(DrillAssetInput input, CancellationToken ct)
    {
        var asset = input.Asset;
        var clock = Stopwatch.StartNew();
        var target = Standby;
        RestorePlan? plan = null;
        try
        {
            var ids = await StandbyIdsAsync(target, ct);
            var step = StandbySteps.FirstOrDefault(s => s.Id == asset.AssetId);
            bool personal = asset.Kind == AssetKind.App && asset.SpaceId == CaptureService.PersonalSpaceId;
            // A step run again (its worker was lost) finds its stored plan and resumes it: the executor skips finished actions.
            // The stored plan does not keep the id map nor the disabled automations (set in process only), so they go with it again.
            string restoreId = StandbyRestoreId(input.DrillId, asset);
            plan = await target.Restore.GetPlanAsync(restoreId, ct) is { } stored
                ? stored with { Request = stored.Request with { IdMap = ids, AutomationsDisabled = true } }
                : await target.Restore.PlanAsync(personal
                ? new RestoreRequest
                {
                    // Into the standby principal's personal space (an isolated copy's rules: disabled reload tasks, no alerts or subscriptions).
                    Scope = RestoreScope.App, PointId = asset.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = CaptureService.PersonalSpaceId,
                    CreateTargetSpace = true, IdMap = ids, AutomationsDisabled = true, Operator = $"drill {input.DrillId}",
                }
                : step.Kinds is null
                ? new RestoreRequest
                {
                    // A space comes back under its own name, with its members and every app: an isolated restore creates exactly that space.
                    Scope = RestoreScope.Space, PointId = asset.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = asset.Name ?? asset.AssetId,
                    CreateTargetSpace = true, IdMap = ids, AutomationsDisabled = true, Operator = $"drill {input.DrillId}",
                }
                : new RestoreRequest
                {
                    Scope = RestoreScope.TenantConfig, Kinds = step.Kinds, IncidentTime = asset.PointCapturedAt.AddTicks(1), IdMap = ids, AutomationsDisabled = true, Operator = $"drill {input.DrillId}",
                }, restoreId, ct);
            if (plan.Actions.Any(a => a.Kind == RestoreActionKind.Delete))
                throw new InvalidOperationException($"Restore plan {plan.RestoreId} would delete in the standby tenant; a drill only rebuilds.");
            var result = await target.Restore.ExecuteAsync(plan, ct);
            if (!result.Succeeded)
                return [new DrillAssetOutcome(asset, DrillAssetResult.Failed, target.TenantUrl, result.RestoredAssetId, clock.Elapsed, null, plan.ReconfigurationChecklist, result.Error ?? "The restore did not succeed.")];
            IReadOnlyList<string> checklist = [.. plan.ReconfigurationChecklist, .. result.Checklist ?? [], .. await DisabledAutomationsAsync(plan, ct),
                .. asset.AssetId == "@identities" ? await PersonalAppsAsync(target, ct) : []];

            var checks = new List<(DrillAsset Asset, string LiveId)>();
            foreach (var t in plan.Targets ?? [])
            {
                string? live = result.IdMap.GetValueOrDefault(t.AssetId) ?? t.TargetAssetId
                    ?? (t.Kind == AssetKind.Space && t.AssetId == asset.AssetId ? result.RestoredAssetId : null);
                var p = plan.Points.First(x => x.PointId == t.PointId);
                if (live is not null) checks.Add((new DrillAsset(p.Kind, p.AssetId, p.Name, p.PointId, p.CapturedAt, p.SpaceId, p.SpaceName), live));
            }
            (string Name, string Description)? spaceDetails = asset.Kind == AssetKind.Space && result.RestoredAssetId is { } spaceId
                ? await RestoreSpaceDetailsAsync(target, asset, spaceId, ids, ct) : null;

            var outcomes = new List<DrillAssetOutcome>();
            foreach (var (checkedAsset, liveId) in checks.DistinctBy(c => c.Asset.PointId))
            {
                string? space = checkedAsset.Kind == AssetKind.App ? (await target.Rest.GetAppAsync(liveId, ct))?.SpaceId : null;
                var check = await target.Fidelity.CheckAsync(new FidelityRequest
                {
                    PointId = checkedAsset.PointId, LiveAssetId = liveId, IdMap = result.IdMap, ExpectedSpaceId = space, Checklist = checklist,
                    // Spaces and apps are rebuilt as drill copies are (disabled tasks, no notifications); other resources as they were.
                    Isolated = checkedAsset.Kind is AssetKind.Space or AssetKind.App, AutomationsDisabled = true,
                }, ct);
                // A drill copy's check skips a space's name and description; the standby's space is the original, so they are compared here.
                if (spaceDetails is { } expected && checkedAsset.Kind == AssetKind.Space && await target.Rest.GetSpaceAsync(liveId, ct) is { } liveSpace)
                    check = check with { Differences = [.. check.Differences, .. SpaceDifferences(check.Asset, expected, liveSpace)] };
                outcomes.Add(new DrillAssetOutcome(checkedAsset, check.Equal ? DrillAssetResult.Equal : DrillAssetResult.Different, target.TenantUrl, liveId,
                    clock.Elapsed, check, checklist, null));
            }
            // A step that rebuilt none of its points must not vanish from the report (it once did: its resources' spaces were
            // looked up by their production ids and every one was skipped as "space deleted").
            if (outcomes.Count == 0 && plan.Points.Count > 0)
                return [new DrillAssetOutcome(asset, DrillAssetResult.Failed, target.TenantUrl, null, clock.Elapsed, null, checklist,
                    $"None of the step's {plan.Points.Count} recovery point(s) was rebuilt. {string.Join(" ", plan.Warnings)}".Trim())];
            return outcomes;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Drill {DrillId}: standby step {AssetId} failed", input.DrillId, asset.AssetId);
            return [new DrillAssetOutcome(asset, DrillAssetResult.Failed, target.TenantUrl, null, clock.Elapsed, null, plan?.ReconfigurationChecklist ?? [], ex.Message)];
        }
    }

    /// <summary>
    /// Automations are rebuilt disabled (<see cref="RestoreRequest.AutomationsDisabled"/>): production's scheduled and triggered
    /// automations must not run in the standby. Each one enabled in production is on the checklist, to enable on failover.
    /// </summary>
    async Task<IReadOnlyList<string>> DisabledAutomationsAsync(RestorePlan plan, CancellationToken ct)
    {
        var lines = new List<string>();
        foreach (var point in plan.Points.Where(p => p.Kind == AssetKind.Automation))
        {
            var doc = await (await PointContent.LoadAsync(store, point, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
            if (JsonTools.GetString(doc, "state") is "disabled") continue;
            lines.Add($"Automation '{point.Name ?? point.AssetId}' ({JsonTools.GetString(doc, "runMode") ?? "manual"}) was rebuilt disabled in the standby so it does not run there; on failover enable it (state {JsonTools.GetString(doc, "state") ?? "available"} in production).");
        }
        return lines;
    }

    /// <summary>
    /// Apps in personal spaces of another owner than the standby's principal are not rebuilt: Qlik shows a personal app only to
    /// its owner, so once given to its owner the drill's principal can neither create the owner's objects in it nor check it.
    /// Each one is on the checklist of the identities step, naming the app, its owner and the point to restore on failover;
    /// never left out silently.
    /// </summary>
    async Task<IReadOnlyList<string>> PersonalAppsAsync(StandbyTenant target, CancellationToken ct)
    {
        var users = (await NewestAsync([AssetKind.User], ct)).ToDictionary(p => p.AssetId, p => p.Name, StringComparer.Ordinal);
        return (await PersonalPointsAsync(target, ct)).NotRebuilt.OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"App '{p.Name ?? p.AssetId}' in the personal space of user '{(p.OwnerId is null ? "?" : users.GetValueOrDefault(p.OwnerId) ?? p.OwnerId)}' ({p.OwnerId}) is not rebuilt in the standby "
                + $"(Qlik shows a personal app only to its owner, so the drill could not create its owner's objects in it nor check it): on failover restore point {p.PointId} and give the app to that user.")
            .ToList();
    }

    /// <summary>
    /// The newest captured personal apps (capture sees only its principal's own), split by what the standby can take: an app
    /// whose owner is the standby's own principal (same subject, else email: the user the id map gives) is rebuilt in that
    /// principal's personal space and checked like the others; any other owner's is not (Qlik would show it to its owner only).
    /// </summary>
    async Task<(List<RecoveryPoint> Rebuilt, List<RecoveryPoint> NotRebuilt)> PersonalPointsAsync(StandbyTenant target, CancellationToken ct)
    {
        var apps = (await NewestAsync([AssetKind.App], ct)).Where(p => p.SpaceId == CaptureService.PersonalSpaceId).ToList();
        if (apps.Count == 0) return ([], []);
        var me = await target.Rest.GetAsync(QlikResourceKind.User, "me", ct);
        string? subject = me is null ? null : JsonTools.GetString(me.Raw, "subject"), email = me is null ? null : JsonTools.GetString(me.Raw, "email");
        var owners = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var user in (await NewestAsync([AssetKind.User], ct)).Where(u => apps.Any(a => a.OwnerId == u.AssetId)))
        {
            var doc = await (await PointContent.LoadAsync(store, user, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
            string? s = JsonTools.GetString(doc, "subject"), e = JsonTools.GetString(doc, "email");
            owners[user.AssetId] = (subject is not null && s == subject) || (email is not null && string.Equals(e, email, StringComparison.OrdinalIgnoreCase));
        }
        var rebuilt = apps.Where(a => a.OwnerId is not null && owners.GetValueOrDefault(a.OwnerId)).ToList();
        return (rebuilt, apps.Except(rebuilt).ToList());
    }

    /// <summary>One restore per step and drill, so the step's plan and progress are found again.</summary>
    static string StandbyRestoreId(string drillId, DrillAsset asset)
        => $"{drillId}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(asset.PointId)))[..16].ToLowerInvariant()}";

    /// <summary>
    /// An isolated restore describes its new space as a copy and gives it to the restore principal; the standby's space is the
    /// original: its name, description and owner (when that user is in the standby) from the point. Returns what was set.
    /// </summary>
    async Task<(string Name, string Description)> RestoreSpaceDetailsAsync(StandbyTenant target, DrillAsset asset, string spaceId, IReadOnlyDictionary<string, string> ids, CancellationToken ct)
    {
        var point = await index.GetAsync(tenant.TenantId, asset.PointId, ct) ?? throw new InvalidOperationException($"Space point {asset.PointId} is gone.");
        var doc = await (await PointContent.LoadAsync(store, point, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
        string? owner = JsonTools.GetString(doc, "ownerId") is { } o ? ids.GetValueOrDefault(o) : null;
        string name = JsonTools.GetString(doc, "name") ?? asset.Name ?? asset.AssetId, description = JsonTools.GetString(doc, "description") ?? "";
        await target.Rest.UpdateSpaceAsync(spaceId, name, description, owner, ct);
        return (name, description);
    }

    static IEnumerable<FidelityDifference> SpaceDifferences(string asset, (string Name, string Description) expected, QlikSpace live)
    {
        if (live.Name != expected.Name) yield return new FidelityDifference(asset, "(space)", "name", expected.Name, live.Name);
        if ((live.Description ?? "") != expected.Description) yield return new FidelityDifference(asset, "(space)", "description", expected.Description, live.Description);
    }

    /// <summary>
    /// Production ids → standby ids of what earlier steps rebuilt (Qlik ids differ per tenant): users by subject (else email),
    /// groups and spaces by name, apps by name within their space's name (so a published copy links to its rebuilt source). Recomputed from the standby at each step, so a retried step needs nothing remembered.
    /// </summary>
    async Task<IReadOnlyDictionary<string, string>> StandbyIdsAsync(StandbyTenant target, CancellationToken ct)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = new List<QlikResource>();
        await foreach (var u in target.Rest.ListAsync(QlikResourceKind.User, ct)) users.Add(u);
        foreach (var point in await NewestAsync([AssetKind.User], ct))
        {
            var doc = await (await PointContent.LoadAsync(store, point, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
            string? subject = JsonTools.GetString(doc, "subject"), email = JsonTools.GetString(doc, "email");
            var live = users.FirstOrDefault(u => subject is not null && JsonTools.GetString(u.Raw, "subject") == subject)
                ?? users.FirstOrDefault(u => email is not null && string.Equals(JsonTools.GetString(u.Raw, "email"), email, StringComparison.OrdinalIgnoreCase));
            if (live is not null) ids[point.AssetId] = live.Id;
        }
        var groups = new List<QlikResource>();
        await foreach (var g in target.Rest.ListAsync(QlikResourceKind.Group, ct)) groups.Add(g);
        foreach (var point in await NewestAsync([AssetKind.Group], ct))
            if (groups.FirstOrDefault(g => JsonTools.GetString(g.Raw, "name") == point.Name) is { } live) ids[point.AssetId] = live.Id;
        var spaces = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var s in target.Rest.ListSpacesAsync(ct)) if (s.Name is not null) spaces[s.Name] = s.Id;
        var spaceNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var point in await NewestAsync([AssetKind.Space], ct))
        {
            if (point.Name is null) continue;
            spaceNames[point.AssetId] = point.Name;
            if (spaces.GetValueOrDefault(point.Name) is { } live) ids[point.AssetId] = live;
        }
        var apps = new Dictionary<(string Space, string App), string>();
        foreach (var (name, id) in spaces)
            await foreach (var item in target.Rest.ListItemsAsync("app", id, ct))
                if (item.Name is not null) apps.TryAdd((name, item.Name), item.ResourceId);
        foreach (var point in await NewestAsync([AssetKind.App], ct))
            if (point.SpaceId is not null && spaceNames.GetValueOrDefault(point.SpaceId) is { } spaceName && point.Name is not null
                && apps.GetValueOrDefault((spaceName, point.Name)) is { } live)
                ids[point.AssetId] = live;
        return ids;
    }
}
