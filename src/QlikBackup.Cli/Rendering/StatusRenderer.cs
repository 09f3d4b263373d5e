using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

public static class StatusRenderer
{
    public static void Render(IAnsiConsole console, StatusReport report)
    {
        Table table = Format.NewTable("Tier", "RPO", "Last run", "Last run result", "Last clean run", "Age", "State");
        foreach (TierStatus t in report.Tiers ?? [])
        {
            table.AddRow(
                Format.Text(t.Tier),
                Format.Duration(t.Objective),
                Format.Time(t.LastRun?.FinishedAt),
                Result(t.LastRun),
                Format.Time(t.LastCleanRun?.FinishedAt),
                Format.Duration(t.Age),
                t.RpoBreached ? "[red bold]RPO BREACHED[/]" : t.HasSpaces ? "[green]OK[/]" : "[grey]no spaces[/]");
        }

        console.Write(table);
        if (report.Restored is { Count: > 0 } restored)
        {
            // A deleted asset that lives on under a new id is not a loss: its history continues there.
            Table lineage = Format.NewTable("Kind", "Name", "Id", "Since", "Lineage");
            foreach (RestoredAsset r in restored)
            {
                lineage.AddRow(Format.Text(r.Kind), Format.Text(r.Name), Markup.Escape(r.AssetId), Format.Time(r.RestoredAt),
                    $"[green]restored as {Markup.Escape(r.RestoredAsId)}[/]");
            }

            console.Write(lineage);
        }

        console.MarkupLine(report.RpoBreached
            ? "[red bold]At least one tier is past its recovery point objective.[/]"
            : "[green]All tiers are within their recovery point objective.[/]");
    }

    public static void RenderSpaces(IAnsiConsole console, SpaceStatusReport report)
    {
        Table table = Format.NewTable("Space", "Type", "Tier", "RPO", "Protected at", "Age", "State");
        foreach (SpaceStatus s in report.Spaces ?? [])
        {
            table.AddRow(
                Format.Text(s.Name ?? s.SpaceId), Format.Text(s.Type), Format.Text(s.Tier), Format.Duration(s.Objective),
                Format.Time(s.ProtectedAt), Format.Duration(s.Age),
                s.RpoBreached ? "[red bold]RPO BREACHED[/]" : "[green]OK[/]");
        }

        console.Write(table);
    }

    static string Result(CaptureRun? run)
    {
        if (run?.Summary is not { } s)
        {
            return run is null ? "[grey]never ran[/]" : Format.None;
        }

        string text = $"{s.Captured} captured, {s.Unchanged} unchanged, {s.Deleted} deleted";
        return s.Failed > 0 ? $"{text}, [red]{s.Failed} failed[/]" : text;
    }
}
