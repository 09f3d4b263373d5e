using QlikBackup.Cli.Api;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>
/// Standard output (tables, or JSON with --json) and standard error (errors, progress). Progress lives on stderr so
/// `qlikbackup ... --json | jq` gets clean JSON while a person still sees the spinner.
/// </summary>
public sealed class Terminal
{
    readonly TextWriter output;
    readonly TextWriter error;

    public Terminal(TextWriter output, TextWriter error, CliSettings settings)
    {
        this.output = output;
        this.error = error;
        Interactive = settings.Interactive;
        int width = settings.Width ?? (settings.Interactive ? 0 : 200);
        Out = Create(output, settings.Interactive, width);
        Err = Create(error, settings.Interactive, width);
    }

    public IAnsiConsole Out { get; }
    public IAnsiConsole Err { get; }
    public bool Interactive { get; }

    static IAnsiConsole Create(TextWriter writer, bool interactive, int width)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (width > 0)
        {
            console.Profile.Width = width;
        }

        return console;
    }

    /// <summary>The API's JSON as received, indented.</summary>
    public void WriteJson(string json) => output.WriteLine(ApiJson.Pretty(json));

    /// <summary>A plain progress note on stderr (one line; for logs and non-terminals).</summary>
    public void Note(string text) => error.WriteLine(text);

    public void Error(string title, string? detail)
    {
        Err.MarkupLine($"[red]error:[/] {Markup.Escape(title)}");
        if (!string.IsNullOrWhiteSpace(detail))
        {
            Err.WriteLine("  " + detail);
        }
    }

    /// <summary>Runs <paramref name="work"/> under a spinner on a terminal; silently elsewhere.</summary>
    public async Task<T> BusyAsync<T>(string what, Func<Task<T>> work)
    {
        if (!Interactive)
        {
            return await work();
        }

        return await Err.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(what), _ => work());
    }
}
