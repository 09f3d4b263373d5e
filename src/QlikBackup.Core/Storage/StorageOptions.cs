using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Where recovery points are stored. Either <see cref="ConnectionString"/> (Azurite, or an account key) or the service URIs,
/// which are used with DefaultAzureCredential (managed identity in Azure).
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Storage connection string, e.g. UseDevelopmentStorage=true or Azurite's; leave empty to use the URIs.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>https://{account}.blob.core.windows.net, with managed identity.</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>https://{account}.table.core.windows.net, with managed identity.</summary>
    public string? TableServiceUri { get; set; }

    /// <summary>https://{account}.queue.core.windows.net, with managed identity (read by the hosts, not by this store).</summary>
    public string? QueueServiceUri { get; set; }

    [Required(ErrorMessage = "Storage:RecoveryPointsContainer is required.")]
    [RegularExpression("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$",
        ErrorMessage = "Storage:RecoveryPointsContainer must be a blob container name: 3-63 lowercase letters, digits and single hyphens.")]
    public string RecoveryPointsContainer { get; set; } = "recovery-points";

    /// <summary>Prefix of the index tables ({prefix}RecoveryPoints, {prefix}RecoveryPointsBySpace), to share one account.</summary>
    [RegularExpression("^([A-Za-z][A-Za-z0-9]{0,41})?$",
        ErrorMessage = "Storage:TablePrefix must be empty, or at most 42 letters and digits starting with a letter.")]
    public string TablePrefix { get; set; } = "";

    [Range(1, 32, ErrorMessage = "Storage:MaxParallelUploads must be between 1 and 32.")]
    public int MaxParallelUploads { get; set; } = 4;

    /// <summary>Content up to this size (parts, manifests) goes into pack blobs, many per PUT; larger content is chunked. 0 turns packs off.</summary>
    [Range(0, 4 * 1024 * 1024, ErrorMessage = "Storage:PackedPartMaxBytes must be between 0 (no packs) and 4194304 (4 MiB).")]
    public int PackedPartMaxBytes { get; set; } = 512 * 1024;

    /// <summary>A pack is closed at this size; reading one entry downloads its whole pack, so keep it small.</summary>
    [Range(64 * 1024, 32 * 1024 * 1024, ErrorMessage = "Storage:PackMaxBytes must be between 65536 (64 KiB) and 33554432 (32 MiB).")]
    public int PackMaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Packs kept in memory per process for reads (restore, retention), in MiB.</summary>
    [Range(0, 4096, ErrorMessage = "Storage:PackCacheMiB must be between 0 and 4096.")]
    public int PackCacheMiB { get; set; } = 64;

    /// <summary>How long a pack entry written by this process is reused for equal content; keep it well below Retention:SweepGracePeriod.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Storage:PackDedupWindow must be between 00:00:00 (off) and 1.00:00:00.")]
    public TimeSpan PackDedupWindow { get; set; } = TimeSpan.FromMinutes(30);

    public PackSettings ToPackSettings() => new(PackedPartMaxBytes, PackMaxBytes, PackCacheMiB * 1024L * 1024, PackDedupWindow);

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>Checks what data annotations cannot: one way to connect, a parseable connection string, absolute URIs.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        bool hasUris = !string.IsNullOrWhiteSpace(options.BlobServiceUri) || !string.IsNullOrWhiteSpace(options.TableServiceUri);
        if (options.UsesConnectionString && hasUris)
        {
            return ValidateOptionsResult.Fail(
                "Set either Storage:ConnectionString or Storage:BlobServiceUri and Storage:TableServiceUri, not both.");
        }

        if (options.UsesConnectionString)
        {
            try
            {
                // The SDK's own parsers: whatever they accept is what the clients will accept.
                _ = new BlobServiceClient(options.ConnectionString);
                _ = new TableServiceClient(options.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
            {
                // The message must not echo the connection string: it may hold an account key.
                return ValidateOptionsResult.Fail($"Storage:ConnectionString is not a valid Azure Storage connection string ({ex.Message.TrimEnd('.')}).");
            }

            return ValidateOptionsResult.Success;
        }

        if (!hasUris)
        {
            return ValidateOptionsResult.Fail(
                "Storage:ConnectionString (local, e.g. UseDevelopmentStorage=true) or Storage:BlobServiceUri and Storage:TableServiceUri (Azure, managed identity) must be set.");
        }

        var failures = new List<string>();
        foreach ((string setting, string? value, bool required) in new[]
        {
            ("Storage:BlobServiceUri", options.BlobServiceUri, true),
            ("Storage:TableServiceUri", options.TableServiceUri, true),
            ("Storage:QueueServiceUri", options.QueueServiceUri, false),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required)
                {
                    failures.Add($"{setting} is required when Storage:ConnectionString is empty.");
                }
            }
            else if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{setting} must be an absolute https URI of the storage service, not '{value}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
