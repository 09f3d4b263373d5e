using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Every plan as it was shown, so the orchestration executes exactly that plan by its id: one blob per plan,
/// "{tenant}/plans/{restoreId}.json" in the audit container (<see cref="RestoreOptions.AuditContainer"/>), written once
/// (create-only, like everything in that container) and read back by <c>GET /api/restores/{id}</c> and the orchestration.
/// </summary>
public sealed class RestorePlanStore
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    readonly BlobContainerClient _container;
    readonly AsyncOnce _create;

    public RestorePlanStore(BlobServiceClient blobs, IOptions<RestoreOptions> options)
    {
        _container = blobs.GetBlobContainerClient(options.Value.AuditContainer);
        _create = new AsyncOnce(async c => await _container.CreateIfNotExistsAsync(cancellationToken: c));
    }

    /// <summary>Stores the plan; storing the same restore id again (a retried request) keeps the first plan.</summary>
    public async Task SaveAsync(string tenantId, RestorePlan plan, CancellationToken ct)
    {
        await _create.RunAsync(ct);
        var blob = _container.GetBlobClient(Name(tenantId, plan.RestoreId));
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(plan, Json)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Written by an earlier attempt: the stored plan stands.
        }
    }

    public async Task<RestorePlan?> GetAsync(string tenantId, string restoreId, CancellationToken ct)
    {
        await _create.RunAsync(ct);
        try
        {
            var content = await _container.GetBlobClient(Name(tenantId, restoreId)).DownloadContentAsync(ct);
            return JsonSerializer.Deserialize<RestorePlan>(content.Value.Content.ToMemory().Span, Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    static string Name(string tenantId, string restoreId) => $"{tenantId}/plans/{Uri.EscapeDataString(restoreId)}.json";
}
