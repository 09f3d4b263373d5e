using Azure;
using Azure.Data.Tables;

namespace QlikBackup.Core.Capture;

/// <summary>A table created on first use (once per process; a failed creation is tried again next time).</summary>
internal sealed class LazyTable(TableServiceClient tables, string name)
{
    readonly SemaphoreSlim gate = new(1, 1);
    TableClient? ready;

    public async ValueTask<TableClient> GetAsync(CancellationToken ct)
    {
        if (ready is not null) return ready;
        await gate.WaitAsync(ct);
        try
        {
            if (ready is not null) return ready;
            TableClient table = tables.GetTableClient(name);
            try
            {
                await table.CreateIfNotExistsAsync(ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Created concurrently by another process.
            }

            return ready = table;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Table keys may not contain '/', '\', '#', '?' or control characters, and are at most 1 KiB.</summary>
    public static bool IsValidKey(string? key)
        => !string.IsNullOrEmpty(key) && key.Length <= 512 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
