using System.CommandLine;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;

namespace QlikBackup.Cli.Commands;

/// <summary>restore: POST /api/restores (a dry run answers the plan; otherwise a Durable operation starts).</summary>
public static class RestoreCommand
{
    public static Command Create(CommandHost host)
    {
        var point = new Option<string?>("--point") { Description = "Restore from this recovery point (see `qlikbackup points`).", HelpName = "pointId" };
        var app = new Option<string?>("--app") { Description = "Restore this app from its newest point before --before.", HelpName = "appId" };
        var before = new Option<DateTimeOffset?>("--before")
        {
            Description = "With --app: the incident time; the newest point before it is used. ISO 8601 (UTC unless an offset is given), or an age like 2h.",
            CustomParser = TimeArguments.ParseTime,
            HelpName = "time",
        };
        var scope = new Option<ScopeChoice?>("--scope") { Description = "What to restore: Object, App (default), Space or TenantConfig." };
        var obj = new Option<string?>("--object") { Description = "The object's qId (or 'script' for the load script); implies --scope Object.", HelpName = "qId" };
        var kinds = new Option<string[]>("--kinds") { Description = "With --scope TenantConfig: which asset kinds (default: all).", AllowMultipleArgumentsPerToken = true };
        var validation = new Option<string?>("--validation-space")
        {
            Description = "Restore a copy into this validation space (by name) instead of in place.",
            HelpName = "name",
        };
        var targetSpace = new Option<string?>("--target-space") { Description = "Restore into this space id (e.g. when the original space is gone).", HelpName = "spaceId" };
        var createSpace = new Option<bool>("--create-space") { Description = "Create the validation or target space if it does not exist." };
        var keepNew = new Option<bool>("--keep-new-objects") { Description = "In-place App restore: keep objects added since the point (default: remove them)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only plan: print the actions and the reconfiguration checklist; change nothing." };
        var waiter = new OperationWaiter();
        var command = new Command("restore", "Restore an object, app, space or tenant configuration from a recovery point.")
        {
            point, app, before, scope, obj, kinds, validation, targetSpace, createSpace, keepNew, dryRun,
        };
        waiter.AddTo(command);
        command.Validators.Add(r =>
        {
            bool hasPoint = r.GetResult(point) is not null;
            bool hasApp = r.GetResult(app) is not null;
            bool tenantConfig = r.GetValue(scope) == ScopeChoice.TenantConfig;
            bool hasKinds = r.GetResult(kinds) is not null;
            if (hasKinds && (!tenantConfig || hasPoint))
            {
                // With a point the point decides what is restored: kinds would be ignored, so they are refused.
                r.AddError(hasPoint
                    ? "--kinds goes with --scope TenantConfig without --point (a point restores exactly its own asset)."
                    : "--kinds goes with --scope TenantConfig.");
            }
            else if (tenantConfig && !hasPoint && !hasApp)
            {
                // Tenant configuration by kinds: the newest point of each asset (before --before, if given).
            }
            else if (hasPoint == hasApp)
            {
                r.AddError("Give either --point <pointId>, or --app <appId> with --before <time> (or --scope TenantConfig [--kinds ...] [--before <time>]).");
            }
            else if (hasApp && r.GetResult(before) is null)
            {
                r.AddError("--app needs --before <time> (the incident time; the newest point before it is restored).");
            }
            else if (hasPoint && r.GetResult(before) is not null)
            {
                r.AddError("--before goes with --app, not --point.");
            }

            if (r.GetValue(scope) == ScopeChoice.Object && r.GetResult(obj) is null)
            {
                r.AddError("--scope Object needs --object <qId>.");
            }

            if (r.GetResult(createSpace) is not null && r.GetResult(validation) is null && r.GetResult(targetSpace) is null)
            {
                r.AddError("--create-space goes with --validation-space or --target-space.");
            }
        });

        host.SetAction(command, async (ctx, ct) =>
        {
            string? objectId = ctx.Get(obj);
            string? validationName = ctx.Get(validation);
            var request = new RestoreRequest
            {
                Scope = (ctx.Get(scope) ?? (objectId is null ? ScopeChoice.App : ScopeChoice.Object)).ToString(),
                PointId = ctx.Get(point),
                Kind = ctx.Get(app) is null ? null : "App",
                AssetId = ctx.Get(app),
                IncidentTime = ctx.Get(before),
                ObjectId = objectId,
                Kinds = ctx.Get(kinds) is { Length: > 0 } k ? k : null,
                Target = validationName is null ? "InPlace" : "ValidationSpace",
                TargetSpaceName = validationName,
                TargetSpaceId = ctx.Get(targetSpace),
                CreateTargetSpace = ctx.Get(createSpace),
                RemoveObjectsAddedSincePoint = !ctx.Get(keepNew),
                Operator = ctx.Operator,
            };

            if (ctx.Get(dryRun))
            {
                ApiResponse<RestorePlan> plan = await ctx.Terminal.BusyAsync("Planning restore", () => ctx.Api.PlanRestoreAsync(request, ct));
                ctx.Show(plan, (console, p) => PlanRenderer.Render(console, p, dryRun: true));
                return ExitCodes.Ok;
            }

            ApiResponse<OperationAccepted> accepted = await ctx.Terminal.BusyAsync("Starting restore", () => ctx.Api.StartRestoreAsync(request, ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }
}
