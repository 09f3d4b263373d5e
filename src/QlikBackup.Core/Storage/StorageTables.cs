using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Every table of the app, by one rule: the table is "{Storage:TablePrefix}{name}" (so deployments can share an account)
/// and is created on first use. Keys inside it start with the tenant (<see cref="TableKeys"/>), so tenants never mix.
/// </summary>
public sealed class StorageTables
{
    readonly TableServiceClient service;
    readonly ConcurrentDictionary<string, LazyTable> tables = new(StringComparer.Ordinal);

    public StorageTables(TableServiceClient service, IOptions<StorageOptions> options)
        : this(service, options.Value.TablePrefix)
    {
    }

    public StorageTables(TableServiceClient service, string prefix)
    {
        this.service = service;
        Prefix = prefix ?? "";
    }

    public string Prefix { get; }

    /// <summary>The full name of table <paramref name="name"/>: the prefix and the name, at most 63 characters.</summary>
    public string NameOf(string name)
    {
        string full = Prefix + name;
        if (full.Length > 63 || !full.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(full[0]))
            throw new ArgumentException($"'{full}' (Storage:TablePrefix + '{name}') is not a table name: 3-63 letters and digits, starting with a letter.", nameof(name));
        return full;
    }

    public LazyTable Get(string name) => tables.GetOrAdd(name, n => new LazyTable(service.GetTableClient(NameOf(n))));
}

/// <summary>A table created on first use: once per process, tried again on the next call if creation failed.</summary>
public sealed class LazyTable
{
    readonly TableClient table;
    readonly AsyncOnce create;

    internal LazyTable(TableClient table)
    {
        this.table = table;
        create = new AsyncOnce(async c =>
        {
            try
            {
                await table.CreateIfNotExistsAsync(c);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Created concurrently by another process.
            }
        });
    }

    public string Name => table.Name;

    public async ValueTask<TableClient> GetAsync(CancellationToken ct)
    {
        await create.RunAsync(ct);
        return table;
    }
}
