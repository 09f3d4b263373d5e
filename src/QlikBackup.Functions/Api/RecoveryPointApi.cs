using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Functions.Api;

public static class RecoveryPointApi
{
    /// <summary>The paging token: where the next page starts (time, inclusive) and how many points at that time were given.</summary>
    static class Continuation
    {
        public const string Header = "X-Continuation";

        public static string Write(DateTimeOffset to, int skip) =>
            System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes($"{to.UtcTicks}:{skip}"));

        public static (DateTimeOffset To, int Skip)? Read(string token)
        {
            try
            {
                string[] parts = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token)).Split(':');
                return parts.Length == 2 && long.TryParse(parts[0], out long ticks) && ticks > 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
                    && int.TryParse(parts[1], out int skip) && skip is >= 0 and < 1000
                    ? (new DateTimeOffset(ticks, TimeSpan.Zero), skip)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }

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

        (DateTimeOffset To, int Skip)? page = null;
        if (Value(q, "continuation") is { } token)
        {
            page = Continuation.Read(token) ?? throw ApiInput.Bad("continuation", token, "the X-Continuation header of the previous page, unchanged");
        }

        var query = new RecoveryPointQuery
        {
            Kind = kind,
            AssetId = ApiInput.OptionalQlikId(Value(q, "assetId"), "assetId"),
            NameContains = ApiInput.Text(Value(q, "name"), "name"),
            OwnerId = ApiInput.OptionalQlikId(Value(q, "ownerId"), "ownerId"),
            SpaceId = ApiInput.OptionalQlikId(Value(q, "spaceId"), "spaceId"),
            From = from,
            // A later page starts at the previous page's oldest time (inclusive) and skips the points it already gave.
            To = page is { } p ? (to is { } t && t < p.To ? t : p.To) : to,
            Take = Math.Min(1000, take + (page?.Skip ?? 0)),
        };
        string tenant = call.Get<ITenantContext>().TenantId;
        IReadOnlyList<RecoveryPoint> found = await call.Get<IRecoveryPointIndex>().QueryAsync(tenant, query, call.Aborted);
        List<RecoveryPoint> points = found.Skip(page?.Skip ?? 0).Take(take).ToList();
        if (points.Count == take)
        {
            // Possibly more: the next page starts at this page's oldest point.
            DateTimeOffset oldest = points[^1].CapturedAt;
            int same = points.Count(x => x.CapturedAt == oldest) + (page is { } pp && pp.To == oldest ? pp.Skip : 0);
            call.Request.HttpContext.Response.Headers[Continuation.Header] = Continuation.Write(oldest, same);
        }

        return ApiResults.Ok(points);
    }

    /// <summary>GET /api/recovery-points/{pointId}: one point.</summary>
    public static async Task<IActionResult> GetAsync(ApiCall call)
    {
        string pointId = ApiInput.PointId(call.Route("pointId"), "pointId");
        RecoveryPoint? point = await call.Get<IRecoveryPointIndex>().GetAsync(call.Get<ITenantContext>().TenantId, pointId, call.Aborted);
        return point is null
            ? ApiResults.Problem(404, "Recovery point not found", $"There is no recovery point '{pointId}'. Search with GET /api/recovery-points.", "pointId")
            : ApiResults.Ok(point);
    }

    /// <summary>
    /// GET /api/assets/{kind}/{assetId}/history: the asset's points, newest first, each with who changed the asset
    /// before it was captured (changedBy, changedAt, changedFromClient from Qlik's audit events).
    /// </summary>
    public static async Task<IActionResult> HistoryAsync(ApiCall call)
    {
        if (!ApiResults.TryParse(call.Route("kind"), out AssetKind kind))
        {
            return ApiResults.Problem(400, "Unknown kind", $"kind: {ApiInput.Show(call.Route("kind"))} is not an asset kind. Use one of: {ApiResults.Names<AssetKind>()}.", "kind");
        }

        string assetId = ApiInput.QlikId(call.Route("assetId"), "assetId");
        int take = 50;
        if (call.Request.Query.TryGetValue("take", out var takeText) && (!int.TryParse(takeText, out take) || take is < 1 or > 1000))
        {
            return ApiResults.Problem(400, "Bad take", "'take' must be a whole number from 1 to 1000.", "take");
        }

        var points = await call.Get<IRecoveryPointIndex>().GetNewestAsync(call.Get<ITenantContext>().TenantId, kind, assetId, take, call.Aborted);
        return ApiResults.Ok(points);
    }

    public static readonly IReadOnlyList<ApiQueryParameter> HistoryParameters =
    [
        new("take", "At most this many points, 1 to 1000 (default 50).", typeof(int)),
    ];

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
        new("continuation", "The X-Continuation header of the previous page: the next page."),
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
