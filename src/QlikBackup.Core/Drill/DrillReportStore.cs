using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Drill;

/// <summary>
/// Drill reports: "{tenantHash}/{drillId}/report.json" and "report.html" in <see cref="DrillOptions.ReportsContainer"/>, written
/// create-only (evidence is never rewritten; a retried write of the same drill keeps the first), and one row per drill in
/// {Storage:TablePrefix}{<see cref="DrillOptions.ReportsTable"/>} (PartitionKey tenant, RowKey inverted start ticks + drill id: newest first).
/// </summary>
public sealed class DrillReportStore
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() }, WriteIndented = true };

    readonly LazyTable _reports;
    readonly BlobContainerClient _container;
    readonly AsyncOnce _createContainer;
    readonly ITenantContext _tenant;

    public DrillReportStore(StorageTables tables, BlobServiceClient blobs, IOptions<DrillOptions> options, ITenantContext tenant)
    {
        _tenant = tenant;
        _reports = tables.Get(options.Value.ReportsTable);
        _container = blobs.GetBlobContainerClient(options.Value.ReportsContainer);
        _createContainer = new AsyncOnce(c => _container.CreateIfNotExistsAsync(cancellationToken: c));
    }

    string Blob(string drillId, string file) => $"{BlobLayout.TenantHash(_tenant.TenantId)}/{Uri.EscapeDataString(drillId)}/{file}";

    public async Task SaveAsync(DrillReport report, CancellationToken ct = default)
    {
        await _createContainer.RunAsync(ct);
        await CreateOnlyAsync(Blob(report.DrillId, "report.json"), JsonSerializer.SerializeToUtf8Bytes(report, Json), "application/json", ct);
        await CreateOnlyAsync(Blob(report.DrillId, "report.html"), Encoding.UTF8.GetBytes(DrillReportHtml.Render(report)), "text/html; charset=utf-8", ct);
        var row = new TableEntity(RecoveryPointIds.EscapeKey(_tenant.TenantId), $"{RecoveryPointIds.InvertedTicks(report.StartedAt)}-{report.DrillId}")
        {
            ["DrillId"] = report.DrillId,
            ["StartedAt"] = report.StartedAt,
            ["Scope"] = report.Request.Scope.ToString(),
            ["Tier"] = report.Tier.ToString(),
            ["Passed"] = report.Passed,
            ["Headline"] = report.Headline,
        };
        await (await _reports.GetAsync(ct)).UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
    }

    async Task CreateOnlyAsync(string name, byte[] content, string contentType, CancellationToken ct)
    {
        try
        {
            await _container.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already stored by an earlier attempt of the same drill: the first report stands.
        }
    }

    public async Task<IReadOnlyList<DrillReportSummary>> ListAsync(int take = 50, CancellationToken ct = default)
    {
        TableClient table = await _reports.GetAsync(ct);
        var list = new List<DrillReportSummary>();
        string pk = RecoveryPointIds.EscapeKey(_tenant.TenantId);
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == pk, maxPerPage: take, cancellationToken: ct))
        {
            list.Add(new DrillReportSummary(e.GetString("DrillId"), e.GetDateTimeOffset("StartedAt") ?? default,
                Enum.Parse<DrillScope>(e.GetString("Scope")), Enum.Parse<Tier>(e.GetString("Tier")), e.GetBoolean("Passed") ?? false, e.GetString("Headline")));
            if (list.Count >= take) break;
        }
        return list;
    }

    /// <summary>
    /// Stores a clean-up run of a drill at "{tenantHash}/{drillId}/clean-ups/{operationId}.json", create-only beside the report
    /// (which is never rewritten).
    /// </summary>
    public async Task SaveCleanUpAsync(DrillCleanUpRun run, CancellationToken ct = default)
    {
        await _createContainer.RunAsync(ct);
        await CreateOnlyAsync(Blob(run.DrillId, $"clean-ups/{Uri.EscapeDataString(run.OperationId)}.json"), JsonSerializer.SerializeToUtf8Bytes(run, Json), "application/json", ct);
    }

    /// <summary>The clean-up runs of a drill, oldest first.</summary>
    public async Task<IReadOnlyList<DrillCleanUpRun>> ListCleanUpsAsync(string drillId, CancellationToken ct = default)
    {
        await _createContainer.RunAsync(ct);
        var runs = new List<DrillCleanUpRun>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Blob(drillId, "clean-ups/"), ct))
        {
            var content = await _container.GetBlobClient(blob.Name).DownloadContentAsync(ct);
            if (content.Value.Content.ToObjectFromJson<DrillCleanUpRun>(Json) is { } run) runs.Add(run);
        }
        return runs.OrderBy(r => r.StartedAt).ToList();
    }

    /// <summary>The stored report with its later clean-up runs, or null when there is none.</summary>
    public async Task<DrillReport?> ReadAsync(string drillId, CancellationToken ct = default)
    {
        if (await ReadJsonAsync(drillId, ct) is not { } json) return null;
        var report = JsonSerializer.Deserialize<DrillReport>(json, Json)!;
        var cleanUps = await ListCleanUpsAsync(drillId, ct);
        return cleanUps.Count == 0 ? report : report with { CleanUps = cleanUps };
    }

    /// <summary>The stored report JSON, or null when there is none.</summary>
    public Task<byte[]?> ReadJsonAsync(string drillId, CancellationToken ct = default) => ReadAsync(drillId, "report.json", ct);

    public Task<byte[]?> ReadHtmlAsync(string drillId, CancellationToken ct = default) => ReadAsync(drillId, "report.html", ct);

    async Task<byte[]?> ReadAsync(string drillId, string file, CancellationToken ct)
    {
        await _createContainer.RunAsync(ct);
        try
        {
            var content = await _container.GetBlobClient(Blob(drillId, file)).DownloadContentAsync(ct);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
