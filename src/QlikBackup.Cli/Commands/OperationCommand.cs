using System.CommandLine;
using QlikBackup.Cli.Rendering;

namespace QlikBackup.Cli.Commands;

/// <summary>operation &lt;id&gt; [--wait]: GET /api/operations/{id}.</summary>
public static class OperationCommand
{
    public static Command Create(CommandHost host)
    {
        var id = new Argument<string>("id") { Description = "Operation id, as printed by backup, restore or drill." };
        var waiter = new OperationWaiter();
        var command = new Command("operation", "Show a backup, restore or drill operation (and its outcome once finished).") { id };
        waiter.AddTo(command);
        host.SetAction(command, async (ctx, ct) =>
        {
            string operationId = ctx.Get(id)!;
            if (ctx.Get(waiter.Wait))
            {
                return await waiter.WaitAsync(ctx, operationId, ct);
            }

            var op = await ctx.Terminal.BusyAsync("Reading operation", () => ctx.Api.GetOperationAsync(operationId, ct));
            ctx.Show(op, OperationRenderer.Render);

            // Same meaning as after --wait, so a script can check an operation it started earlier.
            return op.Value.IsFinished && !OperationRenderer.Succeeded(op.Value) ? ExitCodes.OperationFailed : ExitCodes.Ok;
        });
        return command;
    }
}
