using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Functions.Api;

public static class RecoveryPointApi
{
    /// <summary>GET /api/recovery-points?kind=&amp;assetId=&amp;name=&amp;ownerId=&amp;spaceId=&amp;from=&amp;to=&amp;take=</summary>
    public static async Task<IActionResult> SearchAsync(ApiCall call)
    {
        IQueryCollection q = call.Request.Query;
        AssetKind? kind = null;
        if (q.TryGetValue("kind", out var kindText))
        {
            if (!ApiResults.TryParse(kindText.ToString(), out AssetKind k))
            {
                return ApiResults.Problem(400, "Unknown kind", $"kind: {ApiInput.Show(kindText)} is not an asset kind. Use one of: {ApiResults.Names<AssetKind>()}.", "kind");
            }

            kind = k;
        }

        if (!TryDate(q, "from", out DateTimeOffset? from))
        {
            return ApiResults.Problem(400, "Malformed date", "'from' must be an ISO 8601 date, e.g. 2026-11-27T10:00:00Z.", "from");
        }

        if (!TryDate(q, "to", out DateTimeOffset? to))
        {
            return ApiResults.Problem(400, "Malformed date", "'to' must be an ISO 8601 date, e.g. 2026-11-27T10:00:00Z.", "to");
        }

        int take = 100;
        if (q.TryGetValue("take", out var takeText) && (!int.TryParse(takeText, out take) || take is < 1 or > 1000))
        {
            return ApiResults.Problem(400, "Bad take", "'take' must be a whole number from 1 to 1000.", "take");
        }

        var query = new RecoveryPointQuery
        {
            Kind = kind,
            AssetId = ApiInput.OptionalQlikId(Value(q, "assetId"), "assetId"),
            NameContains = ApiInput.Text(Value(q, "name"), "name"),
            OwnerId = ApiInput.OptionalQlikId(Value(q, "ownerId"), "ownerId"),
            SpaceId = ApiInput.OptionalQlikId(Value(q, "spaceId"), "spaceId"),
            From = from,
            To = to,
            Take = take,
        };
        string tenant = call.Get<ITenantContext>().TenantId;
        return ApiResults.Ok(await call.Get<IRecoveryPointIndex>().QueryAsync(tenant, query, call.Aborted));
    }

    public static readonly IReadOnlyList<ApiQueryParameter> SearchParameters =
    [
        new("kind", "Asset kind.", typeof(AssetKind)),
        new("assetId", "Asset id."),
        new("name", "Case-insensitive part of the asset name."),
        new("ownerId", "Owner's user id."),
        new("spaceId", "Space id."),
        new("from", "Captured at or after (ISO 8601).", typeof(DateTimeOffset)),
        new("to", "Captured at or before (ISO 8601).", typeof(DateTimeOffset)),
        new("take", "At most this many points, 1 to 1000 (default 100).", typeof(int)),
    ];

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
