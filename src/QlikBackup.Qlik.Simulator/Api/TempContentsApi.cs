using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/temp-contents: export results and uploads. Downloads support Range (206) and the mid-stream reset fault.</summary>
public static class TempContentsApi
{
    public static TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(6);
    private const int ChunkSize = 64 * 1024;

    public static SimTempContent Add(TenantChange c, string name, byte[] content, TimeSpan? ttl = null)
    {
        c.State.TempContents.RemoveAll(x => x.Expires <= c.Now);
        var temp = new SimTempContent
        {
            Id = Ids.NewObjectId(), Name = name, Content = content, OwnerId = c.Actor.UserId, CreatedAt = c.Now, Expires = c.Now + (ttl ?? DefaultTtl),
        };
        c.State.TempContents.Add(temp);
        return temp;
    }

    public static SimTempContent Find(TenantState s, string id)
        => s.TempContents.FirstOrDefault(x => x.Id == id) ?? throw QlikApiException.NotFound("Temporary content", id);

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/v1/temp-contents", async (HttpContext ctx, SimulatedTenant t) =>
        {
            var name = ctx.Request.Query("filename") ?? "upload";
            TimeSpan? ttl = null;
            if (ctx.Request.Query("ttl") is { } rawTtl)
                ttl = int.TryParse(rawTtl, NumberStyles.None, CultureInfo.InvariantCulture, out var secs) && secs > 0
                    ? TimeSpan.FromSeconds(secs) : throw QlikApiException.BadRequest("'ttl' must be a positive number of seconds.");
            var content = await ctx.Request.ReadBytesAsync();
            var id = t.Write(ctx.Actor(), c => Add(c, name, content, ttl).Id);
            ctx.Response.Headers.Location = $"/api/v1/temp-contents/{id}";
            return Results.StatusCode(StatusCodes.Status201Created);
        });

        app.MapGet("/api/v1/temp-contents/{id}/details", (HttpContext ctx, SimulatedTenant t, string id) => Http.Json(t.Read(s =>
        {
            var temp = Visible(s, ctx, id, t.Time.GetUtcNow());
            return new JsonObject
            {
                ["ID"] = temp.Id,
                ["Name"] = temp.Name,
                ["Size"] = temp.Content.LongLength,
                ["CreatedAt"] = Http.Fmt(temp.CreatedAt),
                ["UpdatedAt"] = Http.Fmt(temp.CreatedAt),
                ["Expires"] = Http.Fmt(temp.Expires),
                ["TTLSeconds"] = (long)(temp.Expires - temp.CreatedAt).TotalSeconds,
                ["CreatorID"] = temp.OwnerId,
            };
        })));

        app.MapGet("/api/v1/temp-contents/{id}", Download);
    }

    private static SimTempContent Visible(TenantState s, HttpContext ctx, string id, DateTimeOffset now)
    {
        var temp = Find(s, id);
        if (temp.OwnerId != ctx.Actor().UserId && !s.IsAdmin(ctx.Actor())) throw QlikApiException.NotFound("Temporary content", id);
        if (temp.Expires <= now) throw new QlikApiException(410, "HTTP-410", "Gone", $"Temporary content '{id}' has expired.");
        return temp;
    }

    private static async Task Download(HttpContext ctx, SimulatedTenant t, SimulatorFaults faults, string id)
    {
        var temp = t.Read(s => Visible(s, ctx, id, t.Time.GetUtcNow()));
        var content = temp.Content;
        long from = 0, to = content.LongLength - 1;
        var response = ctx.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = temp.Name, FileName = temp.Name }.ToString();
        response.ContentType = "application/octet-stream";
        if (ctx.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            if (!TryParseRange(range, content.LongLength, out from, out to))
            {
                response.Headers.ContentRange = $"bytes */{content.LongLength}";
                throw new QlikApiException(416, "HTTP-416", "Range Not Satisfiable", $"Range '{range}' is not satisfiable.");
            }
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {from}-{to}/{content.LongLength}";
        }
        var length = to - from + 1;
        response.ContentLength = length;
        long? resetAfter = faults.TryTakeDownloadReset(out var k) ? k : null;
        long written = 0;
        while (written < length)
        {
            var chunk = (int)Math.Min(ChunkSize, length - written);
            if (resetAfter is { } limit && written + chunk > limit) chunk = (int)Math.Max(0, limit - written);
            if (chunk > 0)
            {
                await response.Body.WriteAsync(content.AsMemory((int)(from + written), chunk), ctx.RequestAborted);
                written += chunk;
            }
            if (resetAfter is { } l && written >= l)
            {
                // Injected fault: drop the connection part-way, like a network reset during a QVF download.
                await response.Body.FlushAsync(ctx.RequestAborted);
                ctx.Abort();
                return;
            }
        }
    }

    /// <summary>Single range "bytes=a-b", "bytes=a-" or "bytes=-n".</summary>
    private static bool TryParseRange(string header, long size, out long from, out long to)
    {
        from = 0;
        to = size - 1;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return false;
        var parts = header[6..].Split('-', 2);
        if (parts.Length != 2) return false;
        var ok1 = long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a);
        var ok2 = long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b);
        if (ok1 && ok2) { from = a; to = Math.Min(b, size - 1); }
        else if (ok1 && parts[1].Length == 0) from = a;
        else if (!ok1 && parts[0].Length == 0 && ok2) from = Math.Max(0, size - b);
        else return false;
        return from <= to && from < size;
    }
}
