using System.CommandLine;
using System.Diagnostics;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>--wait: polls GET /api/operations/{id} until the operation finishes, with a live status on stderr.</summary>
public sealed class OperationWaiter
{
    public Option<bool> Wait { get; } = new("--wait")
    {
        Description = "Wait until the operation finishes (status shown on stderr), print the outcome, and exit non-zero if it failed.",
    };

    public Option<TimeSpan?> Timeout { get; } = new("--wait-timeout")
    {
        Description = "With --wait: stop waiting after this long (e.g. 30m); the operation goes on. Exit code 5.",
        CustomParser = TimeArguments.ParseDuration,
        HelpName = "duration",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Wait);
        command.Options.Add(Timeout);
    }

    /// <summary>After a 202: either print where to follow the operation, or wait for it (with --wait).</summary>
    public Task<int> StartedAsync(CommandContext ctx, ApiResponse<OperationAccepted> accepted, CancellationToken ct)
    {
        if (ctx.Get(Wait))
        {
            return WaitAsync(ctx, accepted.Value.Id, ct);
        }

        if (ctx.Json)
        {
            ctx.Terminal.WriteJson(accepted.Json);
        }
        else
        {
            ctx.Terminal.Out.MarkupLine($"Started {Format.Text(accepted.Value.Name)}: [bold]{Format.Text(accepted.Value.Id)}[/]");
            ctx.Terminal.Out.MarkupLine($"Follow it with: qlikbackup operation {Format.Text(accepted.Value.Id)} --wait");
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    public async Task<int> WaitAsync(CommandContext ctx, string id, CancellationToken ct)
    {
        TimeSpan? timeout = ctx.Get(Timeout);
        ApiResponse<OperationStatus> last;
        try
        {
            last = ctx.Terminal.Interactive
                ? await ctx.Terminal.Err.Status().Spinner(Spinner.Known.Dots)
                    .StartAsync($"Waiting for {Markup.Escape(id)}", status => PollAsync(ctx, id, timeout, (op, elapsed) => status.Status(Markup.Escape(Line(op, elapsed))), ct))
                : await PollAsync(ctx, id, timeout, ShowChanges(ctx.Terminal), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ctx.Terminal.Note($"Stopped waiting; operation {id} goes on. Follow it with: qlikbackup operation {id} --wait");
            return ExitCodes.Canceled;
        }
        catch (Exception ex) when (ex is ApiUnreachableException or ApiProblemException { Status: >= System.Net.HttpStatusCode.InternalServerError })
        {
            // Losing the API while polling says nothing about the operation itself: say how to pick it up again.
            ctx.Terminal.Note($"Lost track of operation {id}; it may still be running. Follow it with: qlikbackup operation {id} --wait");
            throw;
        }

        if (!last.Value.IsFinished)
        {
            ctx.Terminal.Note($"Operation {id} is still {last.Value.Status} after {Format.Duration(timeout)}; it goes on. Follow it with: qlikbackup operation {id} --wait");
            return ExitCodes.WaitTimedOut;
        }

        ctx.Show(last, OperationRenderer.Render);
        return OperationRenderer.Succeeded(last.Value) ? ExitCodes.Ok : ExitCodes.OperationFailed;
    }

    /// <summary>Without a terminal, one line per status change (readable in a scheduler's log).</summary>
    static Action<OperationStatus, TimeSpan> ShowChanges(Terminal terminal)
    {
        string? previous = null;
        return (op, elapsed) =>
        {
            if (op.Status != previous)
            {
                terminal.Note(Line(op, elapsed));
                previous = op.Status;
            }
        };
    }

    static string Line(OperationStatus op, TimeSpan elapsed) => $"{op.Name ?? "Operation"} {op.Id}: {op.Status} ({Format.Duration(elapsed)})";

    static async Task<ApiResponse<OperationStatus>> PollAsync(
        CommandContext ctx, string id, TimeSpan? timeout, Action<OperationStatus, TimeSpan> show, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ApiResponse<OperationStatus> response = await ctx.Api.GetOperationAsync(id, ct);
            OperationStatus op = response.Value;
            show(op, clock.Elapsed);
            if (op.IsFinished || (timeout is { } t && clock.Elapsed + ctx.PollInterval > t))
            {
                return response;
            }

            await Task.Delay(ctx.PollInterval, ct);
        }
    }
}
