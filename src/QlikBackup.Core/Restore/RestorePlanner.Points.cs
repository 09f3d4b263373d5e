using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning: which recovery point a request names.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        async Task<RecoveryPoint> ResolvePointAsync(CancellationToken ct)
        {
            if (!string.IsNullOrWhiteSpace(r.PointId))
            {
                RecoveryPoint? found = RecoveryPointIds.TryParse(r.PointId, out _, out _, out _)
                    ? await p.Index.GetAsync(TenantId, r.PointId, ct)
                    : null;
                return found ?? throw NotFound("Recovery point not found", $"There is no recovery point '{r.PointId}' for tenant '{TenantId}'.");
            }

            AssetKind kind = r.Kind ?? r.Scope switch
            {
                RestoreScope.Object or RestoreScope.App => AssetKind.App,
                RestoreScope.Space => AssetKind.Space,
                _ => throw Bad("Kind is required", "With assetId and tenant-configuration scope, give the asset's kind (e.g. ReloadTask, Webhook)."),
            };
            string assetId = r.AssetId!;
            if (r.IncidentTime is not { } incident)
            {
                var newest = await p.Index.GetNewestAsync(TenantId, kind, assetId, O.MaxPointsScanned, ct);
                return newest.FirstOrDefault(x => x.Status == RecoveryPointStatus.Captured)
                    ?? throw NotFound("Recovery point not found", $"{kind} '{assetId}' has no captured recovery point.");
            }

            var before = await p.Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = kind, AssetId = assetId, To = incident, Take = O.MaxPointsScanned }, ct);
            var chosen = before.FirstOrDefault(x => x.CapturedAt < incident && x.Status == RecoveryPointStatus.Captured)
                ?? throw NotFound("Recovery point not found", $"{kind} '{assetId}' has no recovery point captured before {incident:u}.");
            var after = (await p.Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = kind, AssetId = assetId, From = incident, Take = O.MaxPointsScanned }, ct))
                .Where(x => x.CapturedAt >= incident && x.Status == RecoveryPointStatus.Captured)
                .OrderBy(x => x.CapturedAt)
                .ToList();
            if (after.Count > 0)
            {
                b.Warnings.Add($"{after.Count} point(s) of {kind} '{chosen.Name ?? assetId}' were captured at or after the incident ({incident:u}) and may contain it, so they were not chosen: "
                    + string.Join("; ", after.Select(x => $"{x.PointId} at {x.CapturedAt:u}" + (x.ChangedBy is null ? "" : $" (changed by {x.ChangedBy}{(x.ChangedFromClient is null ? "" : " via " + x.ChangedFromClient)})"))));
            }
            return chosen;
        }

        void CheckScope(RecoveryPoint point)
        {
            bool fits = r.Scope switch
            {
                RestoreScope.Object or RestoreScope.App => point.Kind == AssetKind.App,
                RestoreScope.Space => point.Kind == AssetKind.Space,
                _ => point.Kind is not (AssetKind.App or AssetKind.Space),
            };
            if (!fits)
            {
                string suggest = point.Kind switch { AssetKind.App => "App (or Object)", AssetKind.Space => "Space", _ => "TenantConfig" };
                throw Bad("Scope does not match the recovery point",
                    $"{r.Scope} scope cannot restore point '{point.PointId}', which is of a {point.Kind}; use {suggest} scope.");
            }
            if (r.Kind is { } k && k != point.Kind)
                throw Bad("Kind does not match the recovery point", $"The request names kind {k}, but point '{point.PointId}' is of a {point.Kind}.");
            if (r.Scope == RestoreScope.TenantConfig && r.Kinds is { Count: > 0 } kinds && !kinds.Contains(point.Kind))
                throw Bad("Kind does not match the recovery point", $"Point '{point.PointId}' is of a {point.Kind}, which is not among the requested kinds.");
        }

        /// <summary>
        /// The live app a point restores into: the app itself, or the app it came back as (<see cref="AppLineage"/>).
        /// </summary>
        async Task<QlikApp?> LiveAppOfAsync(RecoveryPoint point, CancellationToken ct)
        {
            var app = await AppLineage.LiveAsync(p.Index, p.Rest, TenantId, point.AssetId, ct);
            if (app is not null && app.Id != point.AssetId)
                b.Warnings.Add($"App '{point.Name ?? point.AssetId}' ({point.AssetId}) was restored earlier as {app.Id}; point {point.PointId} is restored into that app.");
            return app;
        }
    }
}
