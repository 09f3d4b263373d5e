using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

public static class PointsRenderer
{
    /// <summary>
    /// A numbered table of what a person scans (time, kind, name, space, status, size, who changed it), then each
    /// point id whole on its own line: ids are long and are copied into `restore --point`, so they never share a
    /// row with columns that would wrap around them.
    /// </summary>
    public static void Render(IAnsiConsole console, IReadOnlyList<RecoveryPoint> points)
    {
        if (points.Count == 0)
        {
            console.MarkupLine("[yellow]No recovery points match.[/]");
            return;
        }

        Table table = Format.NewTable("#", "Captured", "Kind", "Name", "Space", "Tier", "Status", "Size", "Changed by");
        table.Columns[0].RightAligned().NoWrap();
        table.Columns[1].NoWrap();
        table.Columns[7].RightAligned().NoWrap();
        for (int i = 0; i < points.Count; i++)
        {
            RecoveryPoint p = points[i];
            table.AddRow(
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Time(p.CapturedAt),
                Format.Text(p.Kind),
                Format.Text(Clip(p.Name ?? p.AssetId, 40)),
                Format.Text(Clip(p.SpaceName ?? p.SpaceId, 30)),
                Format.Text(p.Tier),
                Format.Status(p.Status),
                Format.Bytes(p.Size),
                Format.Text(Clip(p.ChangedBy, 30)));
        }

        console.Write(table);
        console.MarkupLine("[bold]Point ids[/]");
        for (int i = 0; i < points.Count; i++)
        {
            RecoveryPoint p = points[i];
            // A Deleted point naming a new id is the end of the old id's history, not a loss: the asset lives on as that id.
            string after = p.RestoredAsId is { } newId ? $"  [green]restored as {Markup.Escape(newId)}[/]"
                : p.Error is null ? "" : $"  [red]{Markup.Escape(Clip(p.Error, 100)!)}[/]";
            console.MarkupLine($"{i + 1,4}  {Markup.Escape(p.PointId)}{after}");
        }

        console.MarkupLine($"[grey]{points.Count} point(s), newest first.[/]");
    }

    static string? Clip(string? s, int max) => s is null || s.Length <= max ? s : s[..(max - 1)] + "…";
}
