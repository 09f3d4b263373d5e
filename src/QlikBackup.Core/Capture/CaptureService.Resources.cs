using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    /// <summary>Run-time members that change without the resource changing (and cannot be restored), per kind.</summary>
    static readonly Dictionary<AssetKind, HashSet<string>> VolatileMembers = new()
    {
        [AssetKind.ReloadTask] = ["lastExecutionTime", "nextExecutionTime", "log", "links"],
        [AssetKind.DataAlert] = ["lastScan", "lastTrigger", "absoluteLastScan", "absoluteLastTrigger", "triggerStats", "evaluationCount",
            "lastEvaluationCountUpdate", "lastExecutionStatus", "conditionResponse", "errorStatus", "alertingTaskErrors", "links"],
        [AssetKind.Subscription] = ["lastRun", "nextScheduledRun", "lastExecutionDate", "failedExecutionsCount", "failedVerificationsCount",
            "statusCode", "statusLabel", "taskErrors", "latestExecutionURL", "latestExecutionFilesURL", "links"],
        [AssetKind.Automation] = ["lastRun", "lastRunAt", "lastRunStatus", "duration", "links"],
        [AssetKind.AutomationConnection] = ["links"],
        [AssetKind.DataConnection] = ["links"],
        [AssetKind.User] = ["links"],
        [AssetKind.Group] = ["links"],
        [AssetKind.Space] = ["links"],
        [AssetKind.Webhook] = ["links"],
        [AssetKind.IdentityProvider] = ["links"],
        [AssetKind.ApiKey] = ["links"],
        [AssetKind.Theme] = ["links"],
    };

    internal static IReadOnlySet<string>? VolatileOf(AssetKind kind) => VolatileMembers.GetValueOrDefault(kind);

    /// <summary>Every kind kept as JSON: the REST document as part "resource" (+ assignments / theme archive / reconfiguration).</summary>
    async Task<AssetCaptureResult> CaptureResourceAsync(AssetRef asset, Tier tier, Baseline baseline, CancellationToken ct)
    {
        // Cheap check first: the listing's modified date equals the newest point's, so nothing is read. Spaces are always read:
        // their assignments change without updatedAt moving.
        if (asset.Kind != AssetKind.Space && baseline.CanBeUnchanged && asset.ModifiedAt is { } listed && baseline.Latest!.SourceModifiedAt == listed)
        {
            return Unchanged(asset, baseline);
        }

        QlikResource? resource = asset.Kind == AssetKind.Space
            ? await rest.GetSpaceAsync(asset.Id, ct)
            : await rest.GetAsync(ResourceKindOf(asset.Kind), asset.Id, ct);
        if (resource is null)
        {
            return await RecordDeletedAsync(asset, tier, baseline.Latest, ct);
        }

        string spaceId = asset.Kind == AssetKind.Space ? resource.Id : resource.SpaceId ?? SpaceCaptureTarget.TenantConfigSpaceId;
        if (IsOlderThanNewest(resource.UpdatedAt, baseline, spaceId))
        {
            return Unchanged(asset, baseline);
        }

        (Manifest? previous, _) = await ReadPreviousAsync(baseline.LastCaptured, ct);
        var writer = new PartWriter(store, TenantId, PartParallelism, previous, ct);
        writer.Add(CapturePartNames.Resource, CanonicalJson.Serialize(resource.Raw, VolatileOf(asset.Kind)), CapturePartNames.JsonMediaType);
        switch (asset.Kind)
        {
            case AssetKind.Space:
                var assignments = new List<JsonElement>();
                await foreach (QlikSpaceAssignment a in rest.ListSpaceAssignmentsAsync(resource.Id, ct)) assignments.Add(a.Raw);
                writer.Add(
                    CapturePartNames.Assignments,
                    CanonicalJson.SerializeArray(assignments.OrderBy(a => JsonMembers.Str(a, "id"), StringComparer.Ordinal), VolatileOf(AssetKind.Space)),
                    CapturePartNames.JsonMediaType);
                break;
            case AssetKind.Theme:
                await using (Stream zip = await rest.DownloadThemeAsync(resource.Id, ct))
                {
                    await writer.AddAsync(CapturePartNames.File, zip, CapturePartNames.ZipMediaType);
                }

                break;
        }

        IReadOnlyList<string> reconfigure = Reconfiguration.For(asset.Kind, resource);
        if (reconfigure.Count > 0)
        {
            writer.Add(CapturePartNames.Reconfiguration, CanonicalJson.SerializeStrings(reconfigure), CapturePartNames.JsonMediaType);
        }

        var identity = new PointIdentity(resource.Name ?? asset.Name, spaceId, await SpaceNameAsync(spaceId, ct), resource.OwnerId, resource.UpdatedAt);
        return await FinishAsync(asset, tier, baseline, writer, identity, previous, ct);
    }

    /// <summary>
    /// Out-of-order safety: Qlik's modified date is older than the newest point's (a stale read or a late event), so this
    /// capture would be an older-than-newest point. The newest point stays the newest.
    /// </summary>
    static bool IsOlderThanNewest(DateTimeOffset? modified, Baseline baseline, string spaceId)
        => baseline.CanBeUnchanged && modified is { } m && baseline.Latest!.SourceModifiedAt is { } newest && m < newest
           && baseline.Latest.SpaceId == spaceId;

    Task<string?> SpaceNameAsync(string spaceId, CancellationToken ct) => spaceId switch
    {
        PersonalSpaceId => Task.FromResult<string?>(PersonalSpaceName),
        SpaceCaptureTarget.TenantConfigSpaceId => Task.FromResult<string?>(TenantConfigSpaceName),
        _ => cache.GetAsync(ListingScope, $"space-name:{spaceId}", ListingLifetime, async c => (await rest.GetSpaceAsync(spaceId, c))?.Name, ct),
    };
}
