using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>The capture engine's own tables, named with Storage:TablePrefix like the index's, so accounts can be shared.</summary>
public sealed class CaptureTables(TableServiceClient tables, IOptions<StorageOptions>? storage = null)
{
    public string Prefix { get; } = storage?.Value.TablePrefix ?? "";

    internal LazyTable Get(string name) => new(tables, Prefix + name);
}
