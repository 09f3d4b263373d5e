using System.Buffers.Text;
using System.Globalization;
using System.Text;
using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Recovery point ids and Table keys. A point id is base64url of "kind|assetId|invertedTicks", so the index can turn it into
/// PartitionKey and RowKey and answer <see cref="IRecoveryPointIndex.GetAsync"/> with one point read.
/// </summary>
public static class RecoveryPointIds
{
    /// <summary>Separator inside keys; escaped in every value, so ranges like "tenant|" .. "tenant}" hold exactly one tenant.</summary>
    internal const char Separator = TableKeys.Separator;
    internal const char AfterSeparator = TableKeys.AfterSeparator;

    /// <summary>The id the index gives the point of <paramref name="assetId"/> captured at <paramref name="capturedAt"/>.</summary>
    public static string Create(AssetKind kind, string assetId, DateTimeOffset capturedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(assetId);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}{Separator}{assetId}{Separator}{InvertedTicks(capturedAt)}"));
    }

    public static bool TryParse(string? pointId, out AssetKind kind, out string assetId, out DateTimeOffset capturedAt)
    {
        kind = default;
        assetId = "";
        capturedAt = default;
        if (string.IsNullOrEmpty(pointId) || pointId.Length > 4096 || !Base64Url.IsValid(pointId))
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(pointId));
        }
        catch (FormatException)
        {
            return false;
        }

        int first = text.IndexOf(Separator);
        int last = text.LastIndexOf(Separator);
        if (first <= 0 || last <= first + 1
            || !Enum.TryParse(text[..first], ignoreCase: false, out kind) || !Enum.IsDefined(kind)
            || !TryParseInvertedTicks(text[(last + 1)..], out capturedAt))
        {
            return false;
        }

        assetId = text[(first + 1)..last];
        return true;
    }

    /// <summary>19 digits of (max ticks − capture ticks): a lexical ascending RowKey order is newest first.</summary>
    public static string InvertedTicks(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    internal static bool TryParseInvertedTicks(string value, out DateTimeOffset at)
    {
        at = default;
        if (value.Length != 19 || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long inverted)
            || inverted > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        at = new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - inverted, TimeSpan.Zero);
        return true;
    }

    /// <summary>A value made safe inside a Table key (see <see cref="TableKeys.Escape"/>).</summary>
    public static string EscapeKey(string value) => TableKeys.Escape(value);
}
