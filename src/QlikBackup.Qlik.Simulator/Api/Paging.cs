using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Qlik's pagination styles differ per service (reference §0); all return <c>links.next.href</c> to follow.</summary>
public enum CursorStyle
{
    /// <summary>Opaque <c>next</c>/<c>prev</c> cursor (spaces, items, audits, users, webhooks, ...).</summary>
    Next,
    /// <summary>Opaque <c>page</c> cursor (data-connections, app scripts).</summary>
    Page,
    /// <summary>Id-based <c>startingAfter</c>/<c>endingBefore</c> (api-keys).</summary>
    StartingAfter,
    /// <summary>Numeric <c>offset</c> (data-alerts, sharing-tasks).</summary>
    Offset,
}

public sealed record PageSpec(CursorStyle Style, int DefaultLimit, int MaxLimit);

public sealed record PageResult<T>(IReadOnlyList<T> Items, JsonObject Links, int Total);

public static class Paging
{
    private static readonly string[] CursorParams = ["next", "prev", "page", "startingAfter", "endingBefore", "offset"];

    public static int Limit(HttpRequest request, PageSpec spec)
    {
        var raw = request.Query("limit");
        if (raw is null) return spec.DefaultLimit;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > spec.MaxLimit)
            throw QlikApiException.BadRequest($"'limit' must be an integer between 1 and {spec.MaxLimit}.");
        return limit;
    }

    /// <summary>Cuts one page out of <paramref name="all"/> (already filtered and sorted) and builds self/next/prev links.</summary>
    public static PageResult<T> Paginate<T>(HttpRequest request, IReadOnlyList<T> all, PageSpec spec, Func<T, string> id)
    {
        var limit = Limit(request, spec);
        var start = Start(request, all, spec.Style, limit, id);
        var items = all.Skip(start).Take(limit).ToList();
        var links = new JsonObject { ["self"] = Link(request, null) };
        if (start + limit < all.Count)
            links["next"] = Link(request, NextParam(spec.Style, all, start + limit, items, id));
        if (start > 0 && items.Count > 0)
            links["prev"] = Link(request, PrevParam(spec.Style, all, Math.Max(0, start - limit), items, id));
        return new PageResult<T>(items, links, all.Count);
    }

    private static int Start<T>(HttpRequest request, IReadOnlyList<T> all, CursorStyle style, int limit, Func<T, string> id)
    {
        switch (style)
        {
            case CursorStyle.Next:
                return Decode(request, "next") ?? Decode(request, "prev") ?? 0;
            case CursorStyle.Page:
                return Decode(request, "page") ?? 0;
            case CursorStyle.Offset:
                var raw = request.Query("offset");
                if (raw is null) return 0;
                return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var o)
                    ? o : throw QlikApiException.BadRequest("'offset' must be a non-negative integer.");
            case CursorStyle.StartingAfter:
                if (request.Query("startingAfter") is { } after)
                    return IndexOf(all, after, id, "startingAfter") + 1;
                if (request.Query("endingBefore") is { } before)
                    return Math.Max(0, IndexOf(all, before, id, "endingBefore") - limit);
                return 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(style));
        }
    }

    private static int IndexOf<T>(IReadOnlyList<T> all, string value, Func<T, string> id, string name)
    {
        for (var i = 0; i < all.Count; i++)
            if (id(all[i]) == value) return i;
        throw QlikApiException.BadRequest($"'{name}' does not refer to an item of this list.");
    }

    private static (string, string) NextParam<T>(CursorStyle style, IReadOnlyList<T> all, int offset, IReadOnlyList<T> page, Func<T, string> id) => style switch
    {
        CursorStyle.Next => ("next", Encode(offset)),
        CursorStyle.Page => ("page", Encode(offset)),
        CursorStyle.Offset => ("offset", offset.ToString(CultureInfo.InvariantCulture)),
        _ => ("startingAfter", id(page[^1])),
    };

    private static (string, string) PrevParam<T>(CursorStyle style, IReadOnlyList<T> all, int offset, IReadOnlyList<T> page, Func<T, string> id) => style switch
    {
        CursorStyle.Next => ("prev", Encode(offset)),
        CursorStyle.Page => ("page", Encode(offset)),
        CursorStyle.Offset => ("offset", offset.ToString(CultureInfo.InvariantCulture)),
        _ => ("endingBefore", id(page[0])),
    };

    // Cursors are opaque to clients (as in Qlik); here they just wrap an offset.
    private static string Encode(int offset) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int? Decode(HttpRequest request, string name)
    {
        var raw = request.Query(name);
        if (raw is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(raw));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                return offset;
        }
        catch (FormatException)
        {
        }
        throw QlikApiException.BadRequest($"Invalid '{name}' cursor.");
    }

    private static JsonObject Link(HttpRequest request, (string Name, string Value)? cursor)
    {
        var query = request.Query
            .Where(q => cursor is null || !CursorParams.Contains(q.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .ToList();
        if (cursor is { } c) query.Add(new(c.Name, c.Value));
        var url = QueryHelpers.AddQueryString(request.Href(request.Path), query);
        return new JsonObject { ["href"] = url };
    }
}
