using System.CommandLine;
using QlikBackup.Bench;
using Spectre.Console;

// Capture and restore at Qlik's tenant scale, against Azurite and the local Durable host (docs/benchmarks.md).
var apps = new Option<int>("--apps") { Description = "Apps in the simulated tenant.", DefaultValueFactory = _ => 1600 };
var spaces = new Option<int>("--spaces") { Description = "Shared spaces the apps are spread over.", DefaultValueFactory = _ => 6 };
var sheets = new Option<int>("--sheets") { Description = "Sheets per app (each with charts; stories, bookmarks, master items as the demo tenant).", DefaultValueFactory = _ => 2 };
var dataKiB = new Option<int>("--data-kib") { Description = "QVF data per app, KiB.", DefaultValueFactory = _ => 64 };
var owners = new Option<int>("--private-owners") { Description = "Users with private objects in each app.", DefaultValueFactory = _ => 2 };
var sample = new Option<int>("--parallelism-sample") { Description = "Apps changed for the parallelism 1 vs default runs.", DefaultValueFactory = _ => 40 };
var changed = new Option<double>("--changed-percent") { Description = "Percentage of apps changed before the last re-capture.", DefaultValueFactory = _ => 1 };
var smallSpace = new Option<int>("--space-apps") { Description = "Apps of the space restored as a whole (moved out of the largest space).", DefaultValueFactory = _ => 20 };
var largeApp = new Option<int>("--large-app-mib") { Description = "Data of the app restored on its own, MiB.", DefaultValueFactory = _ => 50 };
var hugeApp = new Option<int>("--huge-app-mib") { Description = "Data of the app captured and restored for memory, MiB (0 skips).", DefaultValueFactory = _ => 1024 };
var chunking = new Option<bool>("--chunking-estimate") { Description = "Only estimate what FastCDC would store for a QVF changed by 1 % (no Azurite, no tenant)." };
var output = new Option<string>("--output") { Description = "Folder for bench-results.md and bench-results.json.", DefaultValueFactory = _ => "bench-results" };
var root = new RootCommand("QlikBackup benchmark: full capture, raw-upload floor, parallelism, re-capture, restores vs export+import; requests counted per asset.")
{
    apps, spaces, sheets, dataKiB, owners, sample, changed, smallSpace, largeApp, hugeApp, chunking, output,
};
root.SetAction(async (parse, ct) =>
{
    if (parse.GetValue(chunking))
    {
        Console.WriteLine("| QVF change (64 MiB) | Chunking | Chunks | New bytes | New % |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (ChunkingEstimate.Row r in ChunkingEstimate.Run())
            Console.WriteLine($"| {r.Change} | {r.Chunking} | {r.Chunks:N0} | {r.NewBytes:N0} | {r.NewPercent} |");
        return 0;
    }

    var options = new BenchOptions
    {
        Apps = parse.GetValue(apps), Spaces = parse.GetValue(spaces), SheetsPerApp = parse.GetValue(sheets), QvfDataBytes = parse.GetValue(dataKiB) * 1024,
        PrivateObjectOwnersPerApp = parse.GetValue(owners), ParallelismSample = parse.GetValue(sample), ChangedPercent = parse.GetValue(changed),
        SmallSpaceApps = parse.GetValue(smallSpace), LargeAppMiB = parse.GetValue(largeApp), HugeAppMiB = parse.GetValue(hugeApp),
    };
    if (Console.IsOutputRedirected)
    {
        AnsiConsole.Profile.Width = 200;
    }

    BenchReport report = await AnsiConsole.Status().StartAsync("Starting...", async ctx =>
    {
        string last = "";
        return await new BenchRunner(options, s =>
        {
            ctx.Status(Markup.Escape(s));
            // Without a terminal the spinner prints nothing: one line per step instead.
            string step = s.Split(':')[0];
            if (Console.IsOutputRedirected && step != last)
            {
                last = step;
                Console.WriteLine(s);
            }
        }).RunAsync(ct);
    });

    string folder = Path.GetFullPath(parse.GetValue(output)!);
    Directory.CreateDirectory(folder);
    string markdown = ReportWriter.ToMarkdown(report);
    await File.WriteAllTextAsync(Path.Combine(folder, "bench-results.md"), markdown, ct);
    await File.WriteAllTextAsync(Path.Combine(folder, "bench-results.json"), ReportWriter.ToJson(report), ct);
    Console.WriteLine(markdown);
    AnsiConsole.MarkupLine($"[grey]Written to[/] {Markup.Escape(folder)}");
    return report.Passed ? 0 : 1;
});

return await root.Parse(args).InvokeAsync();
