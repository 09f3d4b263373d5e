using System.Text.Json;
using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>An operation's state and, once finished, its output read by shape (restore, tier backup, one-asset backup, other).</summary>
public static class OperationRenderer
{
    public static void Render(IAnsiConsole console, OperationStatus op)
    {
        console.Write(Format.Fields(
            ("Operation", Format.Text(op.Id)),
            ("Name", Format.Text(op.Name)),
            ("Status", Format.Status(op.Status)),
            ("Created", Format.Time(op.CreatedAt)),
            ("Last updated", Format.Time(op.LastUpdatedAt)),
            ("Elapsed", Format.Duration(op.LastUpdatedAt - op.CreatedAt))));
        if (!string.IsNullOrWhiteSpace(op.Failure))
        {
            console.MarkupLine($"[red]Failure:[/] {Markup.Escape(op.Failure)}");
        }

        if (op.Output is not { ValueKind: JsonValueKind.Object } output)
        {
            if (op.Output is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } other)
            {
                console.WriteLine("Output: " + other.GetRawText());
            }

            return;
        }

        if (Has(output, "plan") || Has(output, "result"))
        {
            RenderRestore(console, Read<RestoreOutcome>(output));
        }
        else if (Has(output, "spaces"))
        {
            RenderTierCapture(console, Read<CaptureOutput>(output));
        }
        else if (Has(output, "outcome"))
        {
            RenderAssetCapture(console, Read<CaptureOutput>(output));
        }
        else if (Has(output, "cleanup") && Has(output, "drillId"))
        {
            RenderDrillCleanUp(console, output);
        }
        else
        {
            JsonRenderer.Render(console, output);
        }
    }

    /// <summary>Completed, and (for a restore) the restore itself reports success, (for a verify) nothing was found wrong.</summary>
    public static bool Succeeded(OperationStatus op)
    {
        if (!op.Succeeded)
        {
            return false;
        }

        if (op.Output is not { ValueKind: JsonValueKind.Object } output)
        {
            return true;
        }

        if (Has(output, "cleanup") && Has(output, "drillId") && !Has(output, "assets"))
        {
            // A drill's clean-up run again: anything left behind is a failure.
            JsonElement? left = Property(output, "cleanup") is { ValueKind: JsonValueKind.Object } cleanup ? Property(cleanup, "leftBehind") : null;
            return left is not { ValueKind: JsonValueKind.Array } lines || lines.GetArrayLength() == 0;
        }

        if (Has(output, "problemCount"))
        {
            return Property(output, "ok") is not { ValueKind: JsonValueKind.False };
        }

        return !Has(output, "result") || Read<RestoreOutcome>(output).Result is not { Succeeded: false };
    }

    /// <summary>A drill's clean-up run again (DrillCleanUpRun): each line removed, then each left behind.</summary>
    static void RenderDrillCleanUp(IAnsiConsole console, JsonElement run)
    {
        var cleanup = run.GetProperty("cleanup");
        var removed = cleanup.GetProperty("removed").EnumerateArray().Select(e => e.GetString()).ToList();
        var left = cleanup.GetProperty("leftBehind").EnumerateArray().Select(e => e.GetString()).ToList();
        console.MarkupLine($"{(left.Count == 0 ? "[green]Clean-up finished[/]" : "[red]Clean-up left things behind[/]")} for drill {Markup.Escape(run.GetProperty("drillId").GetString() ?? "")}: {removed.Count} removed, {left.Count} left behind");
        foreach (var r in removed)
        {
            console.MarkupLine($"removed {Markup.Escape(r ?? "")}");
        }

        foreach (var l in left)
        {
            console.MarkupLine($"[red]left behind[/] {Markup.Escape(l ?? "")}");
        }
    }

    static void RenderRestore(IAnsiConsole console, RestoreOutcome outcome)
    {
        if (outcome.Result is not { } r)
        {
            console.MarkupLine("[yellow]Planned only (dry run): nothing was changed.[/]");
        }
        else
        {
            console.Write(Format.Fields(
                ("Restore", Format.Text(r.RestoreId)),
                ("Result", r.Succeeded ? "[green]succeeded[/]" : "[red]failed[/]"),
                ("Restored asset", Format.Text(r.RestoredAssetId)),
                ("Actions done", $"{r.Done?.Count ?? 0} of {outcome.Plan?.Actions?.Count ?? 0}"),
                ("Took", Format.Duration(outcome.Duration))));
            if (r.Error is not null)
            {
                console.MarkupLine($"[red]Error:[/] {Markup.Escape(r.Error)}");
            }

            if (r.IdMap is { Count: > 0 } map)
            {
                Table ids = Format.NewTable("Backed-up id", "Restored as");
                foreach ((string from, string to) in map)
                {
                    ids.AddRow(Format.Text(from), Format.Text(to));
                }

                console.Write(ids);
            }
        }

        if (outcome.Plan is { } plan)
        {
            PlanRenderer.RenderChecklist(console, plan);
        }
    }

    static void RenderTierCapture(IAnsiConsole console, CaptureOutput run)
    {
        Table table = Format.NewTable("Space", "Assets", "Captured", "Unchanged", "Deleted", "Failed", "New bytes");
        foreach (SpaceCaptureResult s in run.Spaces ?? [])
        {
            CaptureSummary sum = s.Summary ?? new(0, 0, 0, 0, 0, 0);
            table.AddRow(
                Format.Text(s.Space?.SpaceName ?? s.Space?.SpaceId), s.Assets.ToString(), sum.Captured.ToString(), sum.Unchanged.ToString(),
                sum.Deleted.ToString(), sum.Failed > 0 ? $"[red]{sum.Failed}[/]" : "0", Format.Bytes(sum.NewBytes));
        }

        if (table.Rows.Count > 0)
        {
            console.Write(table);
        }

        if (run.Summary is { } t)
        {
            console.MarkupLine($"[bold]Tier {Format.Text(run.Tier)}:[/] {t.Captured} captured, {t.Unchanged} unchanged, {t.Deleted} deleted, "
                + (t.Failed > 0 ? $"[red]{t.Failed} failed[/]" : "0 failed") + $"; {Format.Bytes(t.Bytes)} read, {Format.Bytes(t.NewBytes)} newly stored.");
        }

        foreach (SpaceCaptureResult s in run.Spaces ?? [])
        {
            foreach (CaptureFailure f in s.Failures ?? [])
            {
                string asset = f.Asset is { ValueKind: JsonValueKind.Object } a && Property(a, "id") is { } id ? id.ToString() : "?";
                console.MarkupLine($"[red]failed:[/] {Markup.Escape(asset)}: {Format.Text(f.Error)}");
            }
        }
    }

    static void RenderAssetCapture(IAnsiConsole console, CaptureOutput c) =>
        console.Write(Format.Fields(
            ("Outcome", Format.Status(c.Outcome)),
            ("Point id", Format.Text(c.PointId)),
            ("Objects", c.ObjectCount.ToString()),
            ("Size", Format.Bytes(c.Size)),
            ("Newly stored", Format.Bytes(c.NewBytes)),
            ("Error", Format.Text(c.Error))));

    // Case-insensitive: Durable's converter may write PascalCase where the API writes camelCase.
    static JsonElement? Property(JsonElement obj, string name) =>
        obj.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    static bool Has(JsonElement obj, string name) => Property(obj, name) is not null;

    static T Read<T>(JsonElement element) =>
        element.Deserialize<T>(ApiJson.Options) ?? throw new ApiResponseException($"Operation output is not a {typeof(T).Name}.");
}
