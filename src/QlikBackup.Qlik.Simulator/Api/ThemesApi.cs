using System.IO.Compression;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/themes: zip archives with a .qext manifest; list (no paging), get, file download, multipart upload, delete.</summary>
public static class ThemesApi
{
    private const string Source = "com.qlik/extensions";

    public static JsonObject Present(TenantState s, SimTheme theme) => new()
    {
        ["id"] = theme.Id,
        ["tenantId"] = s.Tenant.Id,
        ["userId"] = "",
        ["name"] = theme.Name,
        ["type"] = theme.Type,
        ["description"] = theme.Description,
        ["version"] = theme.Version,
        ["author"] = theme.Author,
        ["qextFilename"] = theme.QextName,
        ["qextVersion"] = theme.Version,
        ["tags"] = new JsonArray(),
        ["keywords"] = "",
        ["dependencies"] = new JsonObject(),
        ["file"] = new JsonObject { ["size"] = theme.Zip.LongLength },
        ["createdAt"] = Http.Fmt(theme.CreatedAt),
        ["updateAt"] = Http.Fmt(theme.UpdatedAt),
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/themes", (SimulatedTenant t)
            => Http.Json(new JsonObject { ["data"] = new JsonArray(t.Read(s => s.Themes.Select(x => (JsonNode)Present(s, x)).ToArray())) }));
        app.MapGet("/api/v1/themes/{id}", (SimulatedTenant t, string id) => Http.Json(t.Read(s => Present(s, Find(s, id)))));
        app.MapGet("/api/v1/themes/{id}/file", (SimulatedTenant t, string id) =>
        {
            var (name, zip) = t.Read(s => { var th = Find(s, id); return (th.QextName, th.Zip); });
            return Results.File(zip, "application/zip", name + ".zip");
        });
        app.MapPost("/api/v1/themes", Upload);
        app.MapPatch("/api/v1/themes/{id}", Update);
        app.MapDelete("/api/v1/themes/{id}", (HttpContext ctx, SimulatedTenant t, string id) =>
        {
            t.Write(ctx.Actor(), c =>
            {
                var theme = Find(c.State, id);
                c.State.Themes.Remove(theme);
                c.Emit("com.qlik.v1.theme.deleted", Source, new JsonObject { ["id"] = theme.Id, ["name"] = theme.Name }, null, null, theme.Id);
            });
            return Results.NoContent();
        });
    }

    private static SimTheme Find(TenantState s, string id) => s.FindTheme(id) ?? throw QlikApiException.NotFound("Theme", id);

    /// <summary>Reads the multipart body: the optional zip ('file', with its .qext) and the optional 'data' JSON.</summary>
    private static async Task<(byte[]? Zip, string? QextName, JsonObject Qext, JsonObject Data)> ReadUploadAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType) throw QlikApiException.BadRequest("Send the theme as multipart/form-data ('file' zip part, optional 'data' JSON).");
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        JsonObject data = [];
        if (form["data"].ToString() is { Length: > 0 } json)
        {
            try { data = JsonNode.Parse(json) as JsonObject ?? throw QlikApiException.BadRequest("The 'data' part must be a JSON object."); }
            catch (System.Text.Json.JsonException) { throw QlikApiException.BadRequest("The 'data' part is not valid JSON."); }
        }
        if (form.Files.GetFile("file") is not { } file) return (null, null, [], data);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ctx.RequestAborted);
        var zip = buffer.ToArray();
        var (qextName, qext) = ReadQext(zip);
        if (qext.Str("type") is { } type && type != "theme") throw QlikApiException.BadRequest($"The archive holds a '{type}', not a theme.");
        return (zip, qextName, qext, data);
    }

    private static async Task<IResult> Update(HttpContext ctx, SimulatedTenant t, string id)
    {
        var (zip, qextName, qext, data) = await ReadUploadAsync(ctx);
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var theme = Find(c.State, id);
            if (zip is not null)
            {
                if (qextName != theme.QextName) throw QlikApiException.BadRequest($"The archive is theme '{qextName}', not '{theme.QextName}'.");
                theme.Zip = zip;
                theme.Version = qext.Str("version") ?? theme.Version;
                theme.Description = qext.Str("description") ?? theme.Description;
            }
            theme.Name = data.Str("name") ?? theme.Name;
            theme.Description = data.Str("description") ?? theme.Description;
            theme.UpdatedAt = c.Now;
            c.Emit("com.qlik.v1.theme.updated", Source, new JsonObject { ["id"] = theme.Id, ["name"] = theme.Name }, null, null, theme.Id);
            return Present(c.State, theme);
        }));
    }

    private static async Task<IResult> Upload(HttpContext ctx, SimulatedTenant t)
    {
        var (zip, qextName, qext, data) = await ReadUploadAsync(ctx);
        if (zip is null || qextName is null) throw QlikApiException.BadRequest("The 'file' part (zip archive) is required.");
        var result = t.Write(ctx.Actor(), c =>
        {
            var name = data.Str("name") ?? qext.Str("name") ?? qextName;
            if (c.State.Themes.Any(x => x.QextName == qextName)) throw QlikApiException.Conflict($"A theme '{qextName}' already exists.");
            var theme = new SimTheme
            {
                Id = Ids.NewGuid(), Name = name, QextName = qextName, Description = qext.Str("description") ?? "",
                Version = qext.Str("version") ?? "1.0.0", Author = qext.Str("author") ?? "", CreatedAt = c.Now, UpdatedAt = c.Now, Zip = zip,
            };
            c.State.Themes.Add(theme);
            c.Emit("com.qlik.v1.theme.created", Source, new JsonObject { ["id"] = theme.Id, ["name"] = name }, null, null, theme.Id);
            return Present(c.State, theme);
        });
        return Http.Json(result, StatusCodes.Status201Created);
    }

    /// <summary>Finds the .qext manifest in the zip: its base name is the theme id-name, its JSON the metadata.</summary>
    private static (string Name, JsonObject Qext) ReadQext(byte[] zip)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            var entry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith(".qext", StringComparison.OrdinalIgnoreCase))
                        ?? throw QlikApiException.BadRequest("The archive has no .qext manifest.");
            using var stream = entry.Open();
            var qext = JsonNode.Parse(stream) as JsonObject ?? throw QlikApiException.BadRequest("The .qext manifest is not a JSON object.");
            return (Path.GetFileNameWithoutExtension(entry.Name), qext);
        }
        catch (InvalidDataException)
        {
            throw QlikApiException.BadRequest("The 'file' part is not a zip archive.");
        }
        catch (System.Text.Json.JsonException)
        {
            throw QlikApiException.BadRequest("The .qext manifest is not valid JSON.");
        }
    }
}
