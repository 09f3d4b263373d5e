using System.Text.Json;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Turns a restore request into a plan. Reads the index, the points' content and the live tenant; never writes to Qlik.
/// </summary>
internal sealed partial class RestorePlanner(
    IRecoveryPointIndex index, IContentStore store, IQlikRestClient rest, IQlikEngine engine,
    IOptions<RestoreOptions> options, ITenantContext tenant, TimeProvider time)
{
    // Primary-constructor parameters are not reachable from the nested Run class; these are.
    IRecoveryPointIndex Index => index;
    IContentStore Store => store;
    IQlikRestClient Rest => rest;
    IQlikEngine Engine => engine;
    RestoreOptions Options => options.Value;
    ITenantContext Tenant => tenant;
    TimeProvider Time => time;

    /// <param name="restoreId">The id the plan, its execution and its audit entry share; new when null.</param>
    public async Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct)
    {
        Validate(request);
        var run = new Run(this, request, new PlanBuilder(restoreId ?? Guid.NewGuid().ToString("N")));
        await using (run.Sessions)
        {
            await run.PlanAsync(ct);
        }
        var b = run.Builder;
        return new RestorePlan(b.RestoreId, request, b.Points, b.Actions, b.Checklist, b.Warnings, b.Targets, b.Attributions,
            time.GetUtcNow(), tenant.TenantId);
    }

    static void Validate(RestoreRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Operator))
            throw Bad("Operator is required", "Name the operator who asks for the restore; it is written to the audit log.");
        if (!Enum.IsDefined(r.Scope) || !Enum.IsDefined(r.Target))
            throw Bad("Invalid scope or target", $"Scope must be one of {string.Join(", ", Enum.GetNames<RestoreScope>())}; target one of {string.Join(", ", Enum.GetNames<RestoreTargetKind>())}.");
        if (r.Scope != RestoreScope.TenantConfig && string.IsNullOrWhiteSpace(r.PointId) && string.IsNullOrWhiteSpace(r.AssetId))
            throw Bad("No recovery point chosen", "Give pointId, or assetId (with incidentTime to pick the newest point captured before the incident).");
        if (r.Scope == RestoreScope.Object && string.IsNullOrWhiteSpace(r.ObjectId))
            throw Bad("ObjectId is required", "Object scope restores one object: give its qId, or \"script\" for the load script.");
        if (r.Target == RestoreTargetKind.Isolated)
        {
            if (r.Scope is not (RestoreScope.App or RestoreScope.Space))
                throw Bad("Target not supported for this scope", $"An isolated restore copies an app or a space; {r.Scope} scope restores in place.");
            if (string.IsNullOrWhiteSpace(r.TargetSpaceName) || !r.CreateTargetSpace || !string.IsNullOrWhiteSpace(r.TargetSpaceId))
                throw Bad("Isolated target needs a new space",
                    "An isolated restore creates its own space: give targetSpaceName with createTargetSpace true, and no targetSpaceId.");
        }
        if (r.Target == RestoreTargetKind.ValidationSpace && r.Scope is RestoreScope.Object or RestoreScope.TenantConfig)
            throw Bad("Target not supported for this scope",
                $"{r.Scope} scope restores in place. To check an app first, restore it with App scope into a validation space.");
    }

    internal static RestoreRequestException Bad(string title, string detail) => new(400, title, detail);

    /// <summary>Capture files personal apps under "personal" and tenant configuration under "@tenant": no Qlik space.</summary>
    static string? RealSpace(string? spaceId)
        => spaceId is null or CaptureService.PersonalSpaceId or SpaceCaptureTarget.TenantConfigSpaceId ? null : spaceId;

    static RestoreRequestException NotFound(string title, string detail) => new(404, title, detail);

    /// <summary>One planning pass: the request, the plan being built, and read-only sessions and listings.</summary>
    sealed partial class Run(RestorePlanner p, RestoreRequest r, PlanBuilder b)
    {
        readonly ResourceListings _listings = new(p.Rest);
        readonly Dictionary<string, RestoreTarget> _plannedApps = new(StringComparer.Ordinal);

        public PlanBuilder Builder => b;
        public EngineSessions Sessions { get; } = new(p.Engine, forWrite: false);
        string TenantId => p.Tenant.TenantId;
        RestoreOptions O => p.Options;

        public async Task PlanAsync(CancellationToken ct)
        {
            if (r.Scope == RestoreScope.TenantConfig && r.PointId is null && r.AssetId is null)
            {
                await PlanTenantConfigAsync(ct);
                return;
            }
            var point = await ResolvePointAsync(ct);
            CheckScope(point);
            b.AddPoint(point);
            try
            {
                var content = await PointContent.LoadAsync(p.Store, point, ct);
                switch (r.Scope)
                {
                    case RestoreScope.Object:
                        await PlanObjectAsync(content, ct);
                        break;
                    case RestoreScope.App:
                        await PlanAppAsync(content, await ChooseAppTargetAsync(content, ct), ct);
                        break;
                    case RestoreScope.Space:
                        await PlanSpaceAsync(content, ct);
                        break;
                    default:
                        await PlanResourceAsync(content, ct);
                        break;
                }
            }
            catch (ContentIntegrityException ex) when (!ex.Message.StartsWith("Recovery point ", StringComparison.Ordinal))
            {
                // Planning reads the point's small parts (one pack): name the point, as the verification after planning would.
                throw new ContentIntegrityException($"Recovery point {point.PointId} ({point.Kind} {point.AssetId}) failed verification: {ex.Message}", ex.InnerException);
            }
        }
    }

    /// <summary>A space an import goes to: live (<see cref="Id"/>), created by an earlier action (<see cref="ActionId"/>), or personal (both null).</summary>
    internal sealed record SpaceTarget(string? Id, string? ActionId, string? Name, string? Type)
    {
        public static readonly SpaceTarget Personal = new(null, null, null, null);
        public static SpaceTarget Existing(QlikSpace s) => new(s.Id, null, s.Name, s.Type);
        public static SpaceTarget Created(string actionId, string name, string type = "shared") => new(null, actionId, name, type);
        public string Describe() => Name is null ? "the restore principal's personal space"
            : $"space '{Name}'" + (Id is not null ? $" ({Id})" : ActionId is not null ? " (created by this restore)" : "");
    }

    /// <param name="Native">The app was deleted from its own space, maybe still within Qlik's soft-delete window: Qlik's restore
    /// (same id) is tried before the import.</param>
    internal sealed record AppTarget(QlikApp? Live, SpaceTarget? Space, bool Validation, bool Isolated = false, bool Native = false)
    {
        public static AppTarget InPlace(QlikApp live) => new(live, null, false);
        public static AppTarget Import(SpaceTarget space, bool validation, bool isolated = false) => new(null, space, validation, isolated);
    }
}
