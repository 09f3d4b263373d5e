using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace QlikBackup.Functions.Triggers;

public sealed partial class HttpApi
{
    [Function("StartVerify")]
    public Task<IActionResult> StartVerify(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "verify")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);
}
