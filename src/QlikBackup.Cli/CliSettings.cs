namespace QlikBackup.Cli;

/// <summary>
/// What differs between the real console and an in-process run (tests): environment, terminal abilities, and the
/// timings of retries and polling, which tests shorten so they stay fast.
/// </summary>
public sealed record CliSettings
{
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Colours, live spinners and Ctrl+C handling: only for a real terminal.</summary>
    public bool Interactive { get; init; }

    /// <summary>Width tables are laid out for; null = the terminal's, or 200 when output is not a terminal.</summary>
    public int? Width { get; init; }

    public int MaxRetries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Default of --poll-interval.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Settings for the process's own console.</summary>
    public static CliSettings ForConsole() => new()
    {
        Interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected,
    };
}
