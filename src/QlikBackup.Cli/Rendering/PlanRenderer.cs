using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>A restore plan as an operator reviews it before running it: what, from which point, and what to fix after.</summary>
public static class PlanRenderer
{
    public static void Render(IAnsiConsole console, RestorePlan plan, bool dryRun)
    {
        console.Write(new Rule($"[bold]Restore plan {Format.Text(plan.RestoreId)}[/]").LeftJustified());
        if (dryRun)
        {
            console.MarkupLine("[yellow]Dry run: nothing was changed.[/]");
        }

        if (plan.Request is { } r)
        {
            console.Write(Format.Fields(
                ("Scope", Format.Text(r.Scope)),
                ("Target", Target(r)),
                ("Operator", Format.Text(r.Operator))));
        }

        IReadOnlyList<RecoveryPoint> points = plan.Points ?? [];
        if (points.Count > 0)
        {
            Table pt = Format.NewTable("From point", "Kind", "Name", "Captured", "Changed by", "Changed at");
            pt.Columns[0].NoWrap();
            foreach (RecoveryPoint p in points)
            {
                pt.AddRow(Format.Text(p.PointId), Format.Text(p.Kind), Format.Text(p.Name ?? p.AssetId), Format.Time(p.CapturedAt), Format.Text(p.ChangedBy), Format.Time(p.ChangedAt));
            }

            console.Write(pt);
        }

        IReadOnlyList<RestoreAction> actions = plan.Actions ?? [];
        Table at = Format.NewTable("#", "Action", "Kind", "Asset", "Object", "Description");
        int n = 0;
        foreach (RestoreAction a in actions)
        {
            at.AddRow((++n).ToString(System.Globalization.CultureInfo.InvariantCulture), Action(a.Kind), Format.Text(a.AssetKind), Format.Text(a.Name ?? a.AssetId), Format.Text(a.ObjectId ?? a.Part), Format.Text(a.Description));
        }

        console.Write(at);
        console.MarkupLine($"[bold]Summary:[/] {Format.Text(plan.Summary ?? Summary(actions))}");

        if (plan.Targets is { Count: > 0 } targets)
        {
            Table tt = Format.NewTable("Asset", "Restored into", "Space");
            foreach (RestoreTarget t in targets)
            {
                string into = t.TargetAssetId is null ? "[green]new copy[/]" : $"in place: {Format.Text(t.TargetAssetId)}";
                // The plan says where in words; action ids are internal and never shown.
                string space = Format.Text(t.TargetSpace ?? t.TargetSpaceId) + (t.Validation ? " [yellow](validation)[/]" : t.Isolated ? " [yellow](isolated)[/]" : "");
                tt.AddRow(Format.Text(t.Name ?? t.AssetId), into, space);
            }

            console.Write(tt);
        }

        foreach (string warning in plan.Warnings ?? [])
        {
            console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }

        RenderChecklist(console, plan);
    }

    /// <summary>What the restore cannot do itself (credentials, schedules, links): shown before and after it runs.</summary>
    public static void RenderChecklist(IAnsiConsole console, RestorePlan plan)
    {
        IReadOnlyList<string> checklist = plan.ReconfigurationChecklist ?? [];
        console.MarkupLine("[bold]Reconfiguration checklist[/] (to do by hand after the restore):");
        if (checklist.Count == 0)
        {
            console.MarkupLine("  [grey](nothing)[/]");
        }

        foreach (string item in checklist)
        {
            console.MarkupLine($"  [[ ]] {Markup.Escape(item)}");
        }
    }

    static string Target(RestoreRequest r)
    {
        string where = r.Target == "ValidationSpace" ? $"validation space {Format.Text(r.TargetSpaceName ?? r.TargetSpaceId)}" : "in place";
        if (r.Target != "ValidationSpace" && (r.TargetSpaceId ?? r.TargetSpaceName) is { } space)
        {
            where += $" into space {Format.Text(space)}";
        }

        return r.CreateTargetSpace ? where + " (created if missing)" : where;
    }

    static string Action(string? kind) => kind switch
    {
        "Create" => "[green]Create[/]",
        "Replace" => "[yellow]Replace[/]",
        "Delete" => "[red]Delete[/]",
        _ => Format.Text(kind),
    };

    static string Summary(IReadOnlyList<RestoreAction> actions) =>
        string.Join(", ", actions.GroupBy(a => a.Kind ?? "?").Select(g => $"{g.Key} {g.Count()}"));
}
