using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QlikBackup.Bench;

/// <summary>The report as Markdown (for docs/benchmarks.md) and as JSON (every figure, for comparing runs).</summary>
public static class ReportWriter
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static string ToJson(BenchReport report) => JsonSerializer.Serialize(report, Json);

    public static string ToMarkdown(BenchReport report)
    {
        var md = new StringBuilder();
        BenchOptions o = report.Options;
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {report.StartedAt:u} on {report.ProcessorCount} cores: {report.AppsSeeded} apps in {o.Spaces} spaces "
            + $"({report.AssetsCaptured} assets with spaces, connections and tenant configuration), {o.SheetsPerApp} sheets per app, "
            + $"{o.QvfDataBytes / 1024} KiB data per app, {o.PrivateObjectOwnersPerApp} owners of private objects per app, default parallelism {o.DefaultParallelism}; "
            + $"a space of {o.SmallSpaceApps} apps, an app of {o.LargeAppMiB} MiB and one of {o.HugeAppMiB} MiB.");
        md.AppendLine();
        md.AppendLine("| Step | Seconds | Assets | New points | Unchanged | New bytes | Storage requests (backup) | Storage requests (Durable) | Qlik REST calls | Engine sessions | CPU s (this process / Azurite) | Allocated MiB | Peak working set rise MiB | Note |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (PhaseResult p in report.Phases)
        {
            var counts = new RequestCounts(p.Requests);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {p.Name} | {p.Seconds:0.0} | {p.Assets:N0} | {p.Captured:N0} | {p.Unchanged:N0} | {p.NewBytes:N0} | {counts.BackupStorage:N0} | {counts.DurableStorage:N0} | {counts.QlikRest:N0} | {counts.EngineSessions:N0} | {Cpu(p.Use)} | {Mib(p.Use?.AllocatedBytes)} | {Mib(p.Use?.PeakWorkingSetRise)} | {p.Note} |");
        }

        md.AppendLine();
        md.AppendLine("| Ratio | Value |");
        md.AppendLine("|---|---:|");
        foreach ((string name, double value) in report.Ratios)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value:0.###} |");
        }

        md.AppendLine();
        md.AppendLine("| Check | Result |");
        md.AppendLine("|---|---|");
        foreach (BenchCheck c in report.Checks)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Name} | {(c.Passed ? "passed" : "FAILED")}{(string.IsNullOrEmpty(c.Detail) ? "" : ": " + c.Detail)} |");
        }

        return md.ToString();
    }

    static string Cpu(ResourceUse? use) => use is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{use.CpuSeconds:0.0} / {use.AzuriteCpuSeconds:0.0}");

    static string Mib(long? bytes) => bytes is { } b ? (b / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture) : "";
}
