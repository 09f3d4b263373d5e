namespace QlikBackup.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs the CLI's real entry point in-process, capturing both streams, with test-speed retries and polling.</summary>
public static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new CliSettings
        {
            // Never the machine's own QLIKBACKUP_* variables: each test states what it sets.
            GetEnvironmentVariable = name => environment.TryGetValue(name, out string? value) ? value : null,
            Width = 220,
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            PollInterval = TimeSpan.FromMilliseconds(10),
            AttemptTimeout = TimeSpan.FromSeconds(10),
        };
        int exit = await Cli.RunAsync(args, output, error, settings);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
