using System.CommandLine;

namespace QlikBackup.Cli.Commands;

/// <summary>Options every command takes (recursive on the root command).</summary>
public sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "Base URL of the QlikBackup API (Function App or local host), e.g. https://qlikbackup.azurewebsites.net. Default: $QLIKBACKUP_URL.",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Function key sent as x-functions-key. Default: $QLIKBACKUP_KEY (prefer the variable: arguments show up in process lists).",
        Recursive = true,
    };

    public Option<string?> Operator { get; } = new("--operator")
    {
        Description = "Who is acting, recorded in restore audits (X-Operator). Default: the OS user name.",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the API's JSON instead of tables.",
        Recursive = true,
    };

    public Option<TimeSpan?> PollInterval { get; } = new("--poll-interval")
    {
        Description = "How often --wait asks for the operation's status (e.g. 2s, 500ms).",
        Recursive = true,
        CustomParser = TimeArguments.ParseDuration,
        HelpName = "duration",
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Operator);
        root.Options.Add(Json);
        root.Options.Add(PollInterval);
    }
}
