using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>Two points (or a point and the live asset): parts added/removed/changed, JSON changes, and the script diff.</summary>
public static class ComparisonRenderer
{
    /// <summary>Unchanged script lines shown around each change.</summary>
    const int Context = 2;

    public static void Render(IAnsiConsole console, RestoreComparison c)
    {
        console.Write(new Rule($"[bold]{Format.Text(c.Left)}[/] → [bold]{Format.Text(c.Right)}[/]").LeftJustified());
        console.MarkupLine($"{c.Added?.Count ?? 0} part(s) added, {c.Removed?.Count ?? 0} removed, {c.Changed?.Count ?? 0} changed, {c.Unchanged} unchanged.");

        if ((c.Added?.Count ?? 0) + (c.Removed?.Count ?? 0) > 0)
        {
            Table parts = Format.NewTable("Change", "Part");
            foreach (string p in c.Added ?? [])
            {
                parts.AddRow("[green]added[/]", Format.Text(p));
            }

            foreach (string p in c.Removed ?? [])
            {
                parts.AddRow("[red]removed[/]", Format.Text(p));
            }

            console.Write(parts);
        }

        if (c.Changed is { Count: > 0 } changed)
        {
            Table diffs = Format.NewTable("Part", "Path", "Before", "After");
            foreach (PartDiff part in changed)
            {
                if (part.Changes is not { Count: > 0 } changes)
                {
                    diffs.AddRow(Format.Text(part.Part), "[grey](binary)[/]", Format.None, Format.None);
                    continue;
                }

                foreach (JsonChange ch in changes)
                {
                    diffs.AddRow(Format.Text(part.Part), Format.Text(ch.Path), Short(ch.Old), Short(ch.New));
                }
            }

            console.Write(diffs);
        }

        if (c.Script is { } script && (script.Added > 0 || script.Removed > 0))
        {
            console.MarkupLine($"[bold]Load script:[/] [green]+{script.Added}[/] [red]-{script.Removed}[/]");
            RenderScript(console, script.Lines ?? []);
        }
    }

    static void RenderScript(IAnsiConsole console, IReadOnlyList<DiffLine> lines)
    {
        // Show changed lines with a little context, like a unified diff, rather than the whole script.
        var show = new bool[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Kind is "Added" or "Removed")
            {
                for (int j = Math.Max(0, i - Context); j <= Math.Min(lines.Count - 1, i + Context); j++)
                {
                    show[j] = true;
                }
            }
        }

        bool gap = false;
        for (int i = 0; i < lines.Count; i++)
        {
            if (!show[i])
            {
                gap = true;
                continue;
            }

            if (gap)
            {
                console.MarkupLine("[grey]  …[/]");
                gap = false;
            }

            DiffLine line = lines[i];
            string text = Markup.Escape(line.Text ?? "");
            console.MarkupLine(line.Kind switch
            {
                "Added" => $"[green]+ {text}[/]",
                "Removed" => $"[red]- {text}[/]",
                _ => $"  {text}",
            });
        }
    }

    static string Short(string? json) => json is null ? "[grey](absent)[/]" : Format.Text(json.Length > 80 ? json[..80] + "…" : json);
}
