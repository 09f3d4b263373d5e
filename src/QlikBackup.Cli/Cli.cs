using System.CommandLine;
using QlikBackup.Cli.Commands;

namespace QlikBackup.Cli;

/// <summary>The `qlikbackup` command line, runnable in-process (tests pass their own writers and settings).</summary>
public static class Cli
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, new CliSettings());

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliSettings settings, CancellationToken ct = default)
    {
        var host = new CommandHost(output, error, settings);
        RootCommand root = BuildRoot(host);
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // CommandHost turns every failure into a message; the library's handler would print a stack trace.
            EnableDefaultExceptionHandler = false,
            // Ctrl+C handling hooks the process's console: only for the real one.
            ProcessTerminationTimeout = settings.Interactive ? TimeSpan.FromSeconds(2) : null,
        };

        try
        {
            return await root.Parse(args).InvokeAsync(invocation, ct);
        }
        catch (Exception ex)
        {
            // Only reachable through a bug outside the actions (they catch everything themselves).
            await error.WriteLineAsync($"error: unexpected {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Internal;
        }
    }

    public static RootCommand BuildRoot(CommandHost host)
    {
        var root = new RootCommand(
            "qlikbackup: operate QlikBackup (backups, restores, recovery points, RPO status) through its HTTP API. "
            + "Set QLIKBACKUP_URL and QLIKBACKUP_KEY, or pass --url and --key.");
        host.Globals.AddTo(root);
        root.Subcommands.Add(BackupCommand.Create(host));
        root.Subcommands.Add(RestoreCommand.Create(host));
        root.Subcommands.Add(PointsCommand.Create(host));
        root.Subcommands.Add(StatusCommand.Create(host));
        root.Subcommands.Add(ConsoleCommand.Create(host));
        root.Subcommands.Add(OperationCommand.Create(host));
        root.Subcommands.Add(TierCommand.Create(host));
        root.Subcommands.Add(DrillCommand.Create(host));
        root.Subcommands.Add(CompareCommand.Create(host));
        root.Subcommands.Add(HistoryCommands.Point(host));
        root.Subcommands.Add(HistoryCommands.History(host));
        root.Subcommands.Add(HistoryCommands.Promote(host));
        root.Subcommands.Add(HistoryCommands.OpenApi(host));
        root.Subcommands.Add(HistoryCommands.Plan(host));
        root.Subcommands.Add(HistoryCommands.Execute(host));
        root.Subcommands.Add(VerifyCommand.Create(host));
        return root;
    }
}
