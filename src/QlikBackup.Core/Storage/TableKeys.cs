using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QlikBackup.Core.Storage;

/// <summary>
/// The one way a value goes into a PartitionKey or RowKey. Keys are "part|part|…", each part escaped, and the first part of
/// every partition is the tenant, so a range "tenant|" .. "tenant}" holds exactly one tenant's rows.
/// </summary>
public static class TableKeys
{
    /// <summary>Separator inside keys; escaped in every value.</summary>
    public const char Separator = '|';

    /// <summary>The character after <see cref="Separator"/>: the exclusive end of a "prefix|" range.</summary>
    public const char AfterSeparator = '}';

    /// <summary>
    /// Longest escaped part kept as is. Table keys hold at most 1 KiB (512 UTF-16 characters), and keys join up to three
    /// parts; a longer part keeps its first characters (for ordering) and a SHA-256 of the whole value (for uniqueness).
    /// </summary>
    public const int MaxPartLength = 160;

    /// <summary>
    /// Makes a value safe inside a Table key: the characters Table keys forbid (/ \ # ? and control characters), the
    /// separator | and the escape character % itself become %XX. Order-preserving within equal prefixes; reversible for
    /// values up to <see cref="MaxPartLength"/> escaped characters, which is every id Qlik issues.
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' or Separator || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (builder.Length <= MaxPartLength) return builder.ToString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        // Cut on a character boundary that does not split an escape or a surrogate pair.
        int keep = MaxPartLength - hash.Length - 1;
        while (keep > 0 && (builder[keep - 1] == '%' || (keep > 1 && builder[keep - 2] == '%') || char.IsHighSurrogate(builder[keep - 1]))) keep--;
        return builder.ToString(0, keep) + "~" + hash;
    }

    /// <summary>Escaped parts joined by <see cref="Separator"/>.</summary>
    public static string Join(params string[] parts) => string.Join(Separator, parts.Select(Escape));

    /// <summary>The partition of a tenant-wide row, or the lower bound of a range over all of a tenant's partitions.</summary>
    public static string Tenant(string tenantId) => Escape(tenantId);

    /// <summary>Filter bounds of every partition starting with <paramref name="prefixParts"/> (escaped here).</summary>
    public static (string Low, string High) PrefixRange(params string[] prefixParts)
    {
        string prefix = Join(prefixParts);
        return (prefix + Separator, prefix + AfterSeparator);
    }
}
