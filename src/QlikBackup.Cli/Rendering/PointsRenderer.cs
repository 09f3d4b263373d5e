using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

public static class PointsRenderer
{
    public static void Render(IAnsiConsole console, IReadOnlyList<RecoveryPoint> points)
    {
        if (points.Count == 0)
        {
            console.MarkupLine("[yellow]No recovery points match.[/]");
            return;
        }

        Table table = Format.NewTable("Captured", "Kind", "Name", "Space", "Owner", "Tier", "Status", "Size", "Changed by", "Point id");
        // Ids are copied into `restore --point`: never wrap them.
        table.Columns[^1].NoWrap();
        table.Columns[0].NoWrap();
        foreach (RecoveryPoint p in points)
        {
            table.AddRow(
                Format.Time(p.CapturedAt),
                Format.Text(p.Kind),
                Format.Text(p.Name ?? p.AssetId),
                Format.Text(p.SpaceName ?? p.SpaceId),
                Format.Text(p.OwnerId),
                Format.Text(p.Tier),
                p.Error is null ? Format.Status(p.Status) : $"{Format.Status(p.Status)}: {Format.Text(p.Error)}",
                Format.Bytes(p.Size),
                Format.Text(p.ChangedBy),
                Format.Text(p.PointId));
        }

        console.Write(table);
        console.MarkupLine($"[grey]{points.Count} point(s), newest first.[/]");
    }
}
