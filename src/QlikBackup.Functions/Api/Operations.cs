using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;

namespace QlikBackup.Functions.Api;

/// <summary>
/// Starts the Durable operation behind a POST. With an <c>Idempotency-Key</c> header the operation id is derived
/// from the route and the key, so a retried POST (a lost response, an automation re-run) answers the operation the
/// first one started instead of starting another.
/// </summary>
public static class Operations
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static async Task<IActionResult> StartAsync(ApiCall call, string orchestrator, object input, string? instanceId = null)
    {
        instanceId ??= IdempotentId(call, orchestrator);
        if (instanceId is not null && await call.Durable.GetInstanceAsync(instanceId, call.Aborted) is not null)
        {
            return BackupApi.Accepted(call.Request, instanceId, orchestrator);
        }

        try
        {
            string id = await call.Durable.ScheduleNewOrchestrationInstanceAsync(
                orchestrator, input, instanceId is null ? null : new StartOrchestrationOptions(instanceId), call.Aborted);
            return BackupApi.Accepted(call.Request, id, orchestrator);
        }
        catch (Exception ex) when (instanceId is not null && ex is not OperationCanceledException)
        {
            // A concurrent POST with the same key started it first; anything else is a real failure.
            if (await call.Durable.GetInstanceAsync(instanceId, CancellationToken.None) is null)
            {
                throw;
            }

            return BackupApi.Accepted(call.Request, instanceId, orchestrator);
        }
    }

    /// <summary>The operation id for the request's Idempotency-Key, or null without one.</summary>
    public static string? IdempotentId(ApiCall call, string orchestrator)
    {
        string key = call.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length == 0)
        {
            return null;
        }

        if (key.Length > 200 || key.Any(char.IsControl))
        {
            throw new ApiProblemException(400, "Invalid Idempotency-Key", "The Idempotency-Key header must be 1 to 200 printable characters, e.g. a GUID.", IdempotencyHeader);
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{call.Request.Path}\n{orchestrator}\n{key}"));
        return "idem-" + Convert.ToHexStringLower(hash)[..32];
    }
}
