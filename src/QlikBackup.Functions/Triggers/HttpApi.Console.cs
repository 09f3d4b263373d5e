using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace QlikBackup.Functions.Triggers;

/// <summary>The recovery console's page and the per-space status its heat map reads; behind the function key like the API.</summary>
public sealed partial class HttpApi
{
    [Function("GetConsole")]
    public Task<IActionResult> GetConsole(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "console")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetSpaceStatus")]
    public Task<IActionResult> GetSpaceStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status/spaces")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);
}
