using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

/// <summary>"Backup now": a whole tier, or exactly one asset.</summary>
public sealed record BackupRequest(Tier? Tier = null, AssetKind? Kind = null, string? AssetId = null, string? SpaceId = null);

/// <summary>What starting a Durable operation answers: its id and where to poll it.</summary>
public sealed record OperationAccepted(string Id, string Name, string StatusUri);

public sealed record OperationStatus(string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, object? Output, string? Failure);

public static class BackupApi
{
    /// <summary>POST /api/backups {tier} or {kind, assetId}.</summary>
    public static async Task<IActionResult> StartAsync(HttpRequest request, DurableTaskClient client, int maxParallelAssets)
    {
        var (body, error) = await ApiResults.ReadAsync<BackupRequest>(request, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        body ??= new BackupRequest();
        string id;
        string name;
        if (body.AssetId is not null)
        {
            if (body.Kind is null)
            {
                return ApiResults.Problem(400, "Missing kind", "A backup of one asset needs both 'kind' and 'assetId'.");
            }

            name = nameof(CaptureAssetOrchestrator);
            var asset = new AssetRef(body.Kind.Value, body.AssetId, SpaceId: body.SpaceId);
            id = await client.ScheduleNewOrchestrationInstanceAsync(name, new CaptureAssetInput(asset, body.Tier ?? Tier.T3, CaptureTrigger.OnDemand));
        }
        else
        {
            if (body.Tier is null)
            {
                return ApiResults.Problem(400, "Missing tier", "Give 'tier' (T1, T2 or T3) to back up a tier, or 'kind' and 'assetId' for one asset.");
            }

            name = nameof(CaptureTierOrchestrator);
            id = await client.ScheduleNewOrchestrationInstanceAsync(name, new CaptureTierInput(body.Tier.Value, CaptureTrigger.OnDemand, maxParallelAssets));
        }

        return Accepted(request, id, name);
    }

    /// <summary>GET /api/operations/{id}: status and, once finished, the output of any operation this API started.</summary>
    public static async Task<IActionResult> GetAsync(string id, DurableTaskClient client)
    {
        OrchestrationMetadata? meta = await client.GetInstanceAsync(id, getInputsAndOutputs: true);
        if (meta is null)
        {
            return ApiResults.Problem(404, "Unknown operation", $"No operation with id '{id}'.");
        }

        object? output = meta.SerializedOutput is null ? null : System.Text.Json.JsonDocument.Parse(meta.SerializedOutput).RootElement;
        return ApiResults.Ok(new OperationStatus(
            meta.InstanceId, meta.Name, meta.RuntimeStatus.ToString(), meta.CreatedAt, meta.LastUpdatedAt, output, meta.FailureDetails?.ErrorMessage));
    }

    public static IActionResult Accepted(HttpRequest request, string id, string name)
    {
        string statusUri = $"{request.Scheme}://{request.Host}/api/operations/{Uri.EscapeDataString(id)}";
        return ApiResults.Accepted(new OperationAccepted(id, name, statusUri));
    }
}
