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
/// (create-only, like everything in that container) and read back by <c>GET /api/restores/{id}</c> and the orchestration;
/// beside it the result of its execution, "{tenant}/results/{restoreId}.json", read back by <c>GET /api/operations/{id}</c>.
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
    public Task SaveAsync(string tenantId, RestorePlan plan, CancellationToken ct)
        => CreateAsync(Name(tenantId, plan.RestoreId), JsonSerializer.SerializeToUtf8Bytes(plan, Json), ct);

    public Task<RestorePlan?> GetAsync(string tenantId, string restoreId, CancellationToken ct) => ReadAsync<RestorePlan>(Name(tenantId, restoreId), ct);

    /// <summary>
    /// Stores the result of an executed plan ("{tenant}/results/{restoreId}.json"), once: the orchestration returns only a bounded
    /// summary, and the API reads the full result here. Storing it again (a retried activity) keeps the first.
    /// </summary>
    public Task SaveResultAsync(string tenantId, RestoreResult result, CancellationToken ct)
        => CreateAsync(ResultName(tenantId, result.RestoreId), JsonSerializer.SerializeToUtf8Bytes(result, Json), ct);

    public Task<RestoreResult?> GetResultAsync(string tenantId, string restoreId, CancellationToken ct) => ReadAsync<RestoreResult>(ResultName(tenantId, restoreId), ct);

    async Task CreateAsync(string name, byte[] content, CancellationToken ct)
    {
        await _create.RunAsync(ct);
        try
        {
            await _container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Written by an earlier attempt: the stored one stands.
        }
    }

    async Task<T?> ReadAsync<T>(string name, CancellationToken ct) where T : class
    {
        await _create.RunAsync(ct);
        try
        {
            var content = await _container.GetBlobClient(name).DownloadContentAsync(ct);
            return JsonSerializer.Deserialize<T>(content.Value.Content.ToMemory().Span, Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    static string Name(string tenantId, string restoreId) => $"{tenantId}/plans/{Uri.EscapeDataString(restoreId)}.json";

    static string ResultName(string tenantId, string restoreId) => $"{tenantId}/results/{Uri.EscapeDataString(restoreId)}.json";
}
