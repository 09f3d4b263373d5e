using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Functions.Api;

public static class RecoveryPointApi
{
    /// <summary>GET /api/recovery-points?kind=&amp;assetId=&amp;name=&amp;ownerId=&amp;spaceId=&amp;from=&amp;to=&amp;take=</summary>
    public static async Task<IActionResult> SearchAsync(HttpRequest request, IRecoveryPointIndex index, ITenantContext tenant)
    {
        IQueryCollection q = request.Query;
        AssetKind? kind = null;
        if (q.TryGetValue("kind", out var kindText))
        {
            if (!ApiResults.TryParse(kindText.ToString(), out AssetKind k))
            {
                return ApiResults.Problem(400, "Unknown kind", $"'{kindText}' is not an asset kind. Use one of: {string.Join(", ", Enum.GetNames<AssetKind>())}.");
            }

            kind = k;
        }

        if (!TryDate(q, "from", out DateTimeOffset? from) || !TryDate(q, "to", out DateTimeOffset? to))
        {
            return ApiResults.Problem(400, "Malformed date", "'from' and 'to' must be ISO 8601 dates, e.g. 2026-11-27T10:00:00Z.");
        }

        int take = 100;
        if (q.TryGetValue("take", out var takeText) && (!int.TryParse(takeText, out take) || take is < 1 or > 1000))
        {
            return ApiResults.Problem(400, "Bad take", "'take' must be a whole number from 1 to 1000.");
        }

        var query = new RecoveryPointQuery
        {
            Kind = kind,
            AssetId = Value(q, "assetId"),
            NameContains = Value(q, "name"),
            OwnerId = Value(q, "ownerId"),
            SpaceId = Value(q, "spaceId"),
            From = from,
            To = to,
            Take = take,
        };
        return ApiResults.Ok(await index.QueryAsync(tenant.TenantId, query, request.HttpContext.RequestAborted));
    }

    static string? Value(IQueryCollection q, string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.ToString() : null;

    static bool TryDate(IQueryCollection q, string key, out DateTimeOffset? value)
    {
        value = null;
        string? text = Value(q, key);
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset d))
        {
            value = d;
            return true;
        }

        return false;
    }
}
