using System.Globalization;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>Cell text: escaped for Spectre markup, "-" for nothing, times in UTC (the unit --before/--from assume).</summary>
public static class Format
{
    public const string None = "-";

    public static string Text(string? value) => string.IsNullOrWhiteSpace(value) ? None : Markup.Escape(value);

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : None;

    /// <summary>"3d 4h", "2h 5m", "4m 10s", "12s".</summary>
    public static string Duration(TimeSpan? value)
    {
        if (value is not { } v)
        {
            return None;
        }

        string sign = v < TimeSpan.Zero ? "-" : "";
        v = v.Duration();
        return sign + (v.TotalDays >= 1 ? $"{(int)v.TotalDays}d {v.Hours}h"
            : v.TotalHours >= 1 ? $"{v.Hours}h {v.Minutes}m"
            : v.TotalMinutes >= 1 ? $"{v.Minutes}m {v.Seconds}s"
            : v.TotalSeconds >= 1 ? $"{v.Seconds}s"
            : $"{v.Milliseconds}ms");
    }

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double size = bytes;
        int unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : size.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>Runtime status coloured for a glance: green done, red failed, yellow still going.</summary>
    public static string Status(string? status) => status switch
    {
        "Completed" or "Captured" => $"[green]{Text(status)}[/]",
        "Failed" or "Terminated" or "Canceled" => $"[red]{Text(status)}[/]",
        null or "" => None,
        _ => $"[yellow]{Text(status)}[/]",
    };

    public static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(column)}[/]"));
        }

        return table;
    }

    /// <summary>A two-column grid of labelled values (for one record).</summary>
    public static Grid Fields(params (string Label, string Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach ((string label, string value) in fields)
        {
            grid.AddRow($"[grey]{Markup.Escape(label)}[/]", value);
        }

        return grid;
    }
}
