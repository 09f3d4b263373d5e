using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>What a command's action gets: the parsed arguments, the API client and the terminal.</summary>
public sealed record CommandContext(
    ParseResult Parse, QlikBackupApiClient Api, Terminal Terminal, bool Json, TimeSpan PollInterval, string Operator)
{
    /// <summary>Where the API is and the key it is called with.</summary>
    public ApiConnection Connection { get; init; } = null!;

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>The answer as received with --json, else rendered for a person.</summary>
    public void Show<T>(ApiResponse<T> response, Action<IAnsiConsole, T> render)
    {
        if (Json)
        {
            Terminal.WriteJson(response.Json);
        }
        else
        {
            render(Terminal.Out, response.Value);
        }
    }
}

/// <summary>
/// Runs command actions: resolves the connection from options and environment, builds the client, and turns every
/// failure into a message on stderr and an exit code (<see cref="ExitCodes"/>), never a stack trace.
/// </summary>
public sealed class CommandHost(TextWriter output, TextWriter error, CliSettings settings)
{
    public GlobalOptions Globals { get; } = new();

    public CliSettings Settings => settings;

    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, ct) => RunAsync(parse, action, ct));

    async Task<int> RunAsync(ParseResult parse, Func<CommandContext, CancellationToken, Task<int>> action, CancellationToken ct)
    {
        var terminal = new Terminal(output, error, settings);
        string? url = parse.GetValue(Globals.Url) ?? settings.GetEnvironmentVariable("QLIKBACKUP_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            terminal.Error("No API URL.", "Pass --url <url> or set QLIKBACKUP_URL (the Function App's https address, or the local host's http://127.0.0.1:<port>).");
            return ExitCodes.Usage;
        }

        if (!ApiClientFactory.TryNormalize(url, out Uri baseAddress))
        {
            terminal.Error($"'{url}' is not an http(s) URL.", "Pass the API's base address, e.g. https://qlikbackup.azurewebsites.net.");
            return ExitCodes.Usage;
        }

        string? key = parse.GetValue(Globals.Key) ?? settings.GetEnvironmentVariable("QLIKBACKUP_KEY");
        string who = parse.GetValue(Globals.Operator) ?? Environment.UserName;
        var connection = new ApiConnection(baseAddress, key, who);
        using ServiceProvider services = ApiClientFactory.Create(connection, settings);
        var context = new CommandContext(
            parse,
            services.GetRequiredService<QlikBackupApiClient>(),
            terminal,
            parse.GetValue(Globals.Json),
            parse.GetValue(Globals.PollInterval) ?? settings.PollInterval,
            who) { Connection = connection };
        try
        {
            return await action(context, ct);
        }
        catch (ApiProblemException ex)
        {
            terminal.Error($"{ex.Title} (HTTP {(int)ex.Status})", ex.Detail);
            return ExitCodes.Api;
        }
        catch (ApiUnreachableException ex)
        {
            terminal.Error(ex.Message, "Check --url / QLIKBACKUP_URL.");
            return ExitCodes.Api;
        }
        catch (ApiResponseException ex)
        {
            terminal.Error("Unexpected answer from the API.", ex.Message);
            return ExitCodes.Api;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            terminal.Error("Canceled.", null);
            return ExitCodes.Canceled;
        }
        catch (Exception ex)
        {
            // The CLI's promise: a message, never a stack trace.
            terminal.Error($"Unexpected {ex.GetType().Name}.", ex.Message);
            return ExitCodes.Internal;
        }
    }
}
