using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

/// <summary>"Backup now": a whole tier, or exactly one asset.</summary>
public sealed record BackupRequest(Tier? Tier = null, AssetKind? Kind = null, string? AssetId = null, string? SpaceId = null);

/// <summary>What starting a Durable operation answers: its id and where to poll it.</summary>
public sealed record OperationAccepted(string Id, string Name, string StatusUri);

/// <summary>An operation: <see cref="Output"/> once it completed, <see cref="Failure"/> (plain text) once it failed.</summary>
public sealed record OperationStatus(string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, object? Output, string? Failure);

public static class BackupApi
{
    /// <summary>POST /api/backups {tier} or {kind, assetId}.</summary>
    public static async Task<IActionResult> StartAsync(ApiCall call)
    {
        var (body, error) = await ApiResults.ReadAsync<BackupRequest>(call.Request, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        body ??= new BackupRequest();
        if (body.AssetId is not null || body.Kind is not null)
        {
            if (body.Kind is null)
            {
                return ApiResults.Problem(400, "Missing kind", $"A backup of one asset needs both 'kind' ({ApiResults.Names<AssetKind>()}) and 'assetId'.", "kind");
            }

            string assetId = ApiInput.QlikId(body.AssetId, "assetId");
            string? spaceId = ApiInput.OptionalQlikId(body.SpaceId, "spaceId");
            var asset = new AssetRef(body.Kind.Value, assetId, SpaceId: spaceId);
            return await Operations.StartAsync(call, nameof(CaptureAssetOrchestrator), new CaptureAssetInput(asset, body.Tier ?? Tier.T3, CaptureTrigger.OnDemand));
        }
        else
        {
            if (body.Tier is null)
            {
                return ApiResults.Problem(400, "Missing tier", "Give 'tier' (T1, T2 or T3) to back up a tier, or 'kind' and 'assetId' for one asset.", "tier");
            }

            int parallel = call.Get<IOptions<CaptureOptions>>().Value.MaxParallelAssetsPerSpace;
            return await Operations.StartAsync(call, nameof(CaptureTierOrchestrator), new CaptureTierInput(body.Tier.Value, CaptureTrigger.OnDemand, parallel));
        }
    }

    /// <summary>GET /api/operations/{id}: status and, once finished, the output of any operation this API started.</summary>
    public static async Task<IActionResult> GetAsync(ApiCall call)
    {
        string id = ApiInput.OperationId(call.Route("id"), "id");
        OrchestrationMetadata? meta = await call.Durable.GetInstanceAsync(id, getInputsAndOutputs: true, call.Aborted);
        if (meta is null)
        {
            return ApiResults.Problem(404, "Unknown operation", $"No operation with id '{id}'. Use the id a POST answered.", "id");
        }

        // Only a completed orchestration has output; a failed one carries its failure as text, not JSON.
        bool completed = meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed;
        string? failure = meta.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? Failures.Describe(meta) : null;
        object? output = !completed ? null
            : meta.Name == nameof(RestoreOrchestrator) ? await RestoreOutputAsync(call, meta)
            : Output(meta);
        return ApiResults.Ok(new OperationStatus(
            meta.InstanceId, meta.Name, meta.RuntimeStatus.ToString(), meta.CreatedAt, meta.LastUpdatedAt, output, failure));
    }

    /// <summary>A restore's output as it always was, the plan and the result: read from storage, since the orchestration returns only a bounded summary.</summary>
    static async Task<object?> RestoreOutputAsync(ApiCall call, OrchestrationMetadata meta)
    {
        RestoreSummary? summary = meta.ReadOutputAs<RestoreSummary>();
        if (summary is null)
        {
            return null;
        }

        return await RestoreOutcome.ReadAsync(call.Get<IRestoreService>(), summary, call.Aborted) ?? (object)summary;
    }

    /// <summary>
    /// The output as its orchestrator's result type, so the API writes it by its own rules (enums as names) rather
    /// than Durable's; output of an orchestrator this API does not know is passed through as JSON.
    /// </summary>
    static object? Output(OrchestrationMetadata meta)
    {
        if (meta.SerializedOutput is null)
        {
            return null;
        }

        if (OutputTypes.TryGetValue(meta.Name, out Type? type))
        {
            try
            {
                return ReadOutput.MakeGenericMethod(type).Invoke(meta, null);
            }
            catch (TargetInvocationException)
            {
            }
        }

        try
        {
            return JsonDocument.Parse(meta.SerializedOutput).RootElement;
        }
        catch (JsonException)
        {
            return meta.SerializedOutput;
        }
    }


    static readonly MethodInfo ReadOutput = typeof(OrchestrationMetadata).GetMethod(nameof(OrchestrationMetadata.ReadOutputAs))!;

    /// <summary>Orchestrator name → output type, from the orchestrator classes of this assembly.</summary>
    static readonly Dictionary<string, Type> OutputTypes = typeof(BackupApi).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(TaskOrchestrator<,>))
        .ToDictionary(t => t.Name, t => t.BaseType!.GetGenericArguments()[1]);

    public static IActionResult Accepted(HttpRequest request, string id, string name)
    {
        string statusUri = $"{request.Scheme}://{request.Host}/api/operations/{Uri.EscapeDataString(id)}";
        return ApiResults.Accepted(new OperationAccepted(id, name, statusUri));
    }
}
