using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/apps/{appId}/scripts: load script versions (newest first; "current" names the app's current script).</summary>
public static class AppScriptsApi
{
    private static readonly PageSpec ListPaging = new(CursorStyle.Page, 10, 100);

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/apps/{appId}/scripts", (HttpContext ctx, SimulatedTenant t, string appId) =>
        {
            var versions = t.Read(s => s.VisibleApp(ctx.Actor(), appId).ScriptVersions.AsEnumerable().Reverse().ToList());
            var page = Paging.Paginate(ctx.Request, versions, ListPaging, v => v.ScriptId);
            page.Links.Remove("self");
            return Http.Json(new JsonObject
            {
                ["scripts"] = new JsonArray(page.Items.Select(v => (JsonNode)new JsonObject
                {
                    ["scriptId"] = v.ScriptId,
                    ["size"] = Encoding.UTF8.GetByteCount(v.Script),
                    ["modifiedTime"] = Http.Fmt(v.ModifiedTime),
                    ["modifierId"] = v.ModifierId,
                    ["versionMessage"] = v.VersionMessage,
                }).ToArray()),
                ["links"] = page.Links,
            });
        });

        app.MapPost("/api/v1/apps/{appId}/scripts", async (HttpContext ctx, SimulatedTenant t, string appId) =>
        {
            var body = await ctx.Request.ReadJsonObjectAsync();
            var script = body.OptionalString("script") ?? throw QlikApiException.BadRequest("'script' is required.");
            var id = t.Write(ctx.Actor(), c =>
            {
                var a = c.State.VisibleApp(c.Actor, appId);
                c.State.RequireEdit(c.Actor, a);
                var version = new SimScriptVersion
                {
                    ScriptId = Ids.NewObjectId(), Script = script, VersionMessage = body.OptionalString("versionMessage") ?? "",
                    ModifiedTime = c.Now, ModifierId = c.Actor.UserId,
                };
                a.ScriptVersions.Add(version);
                a.Document.Script = script;
                c.AppSaved(a);
                return version.ScriptId;
            });
            return Http.Json(new JsonObject { ["scriptId"] = id });
        });

        app.MapGet("/api/v1/apps/{appId}/scripts/{id}", (HttpContext ctx, SimulatedTenant t, string appId, string id) => Http.Json(t.Read(s =>
        {
            var a = s.VisibleApp(ctx.Actor(), appId);
            if (id == "current") return new JsonObject { ["script"] = a.Document.Script, ["versionMessage"] = a.ScriptVersions.LastOrDefault()?.VersionMessage ?? "" };
            var v = Find(a, id);
            return new JsonObject { ["script"] = v.Script, ["versionMessage"] = v.VersionMessage };
        })));

        app.MapPatch("/api/v1/apps/{appId}/scripts/{id}", async (HttpContext ctx, SimulatedTenant t, string appId, string id) =>
        {
            var ops = ParseNxPatches(await ctx.Request.ReadJsonAsync());
            t.Write(ctx.Actor(), c =>
            {
                var a = c.State.VisibleApp(c.Actor, appId);
                c.State.RequireEdit(c.Actor, a);
                var v = Find(a, id);
                foreach (var (path, value) in ops)
                {
                    if (path != "/versionMessage") throw QlikApiException.BadRequest($"Path '{path}' cannot be patched; only /versionMessage.");
                    v.VersionMessage = value;
                }
                c.AppSaved(a);
            });
            return Results.Ok();
        });

        app.MapDelete("/api/v1/apps/{appId}/scripts/{id}", (HttpContext ctx, SimulatedTenant t, string appId, string id) =>
        {
            t.Write(ctx.Actor(), c =>
            {
                var a = c.State.VisibleApp(c.Actor, appId);
                c.State.RequireEdit(c.Actor, a);
                var v = Find(a, id);
                if (ReferenceEquals(v, a.ScriptVersions[^1])) throw QlikApiException.BadRequest("The current script version cannot be deleted.");
                a.ScriptVersions.Remove(v);
                c.AppSaved(a);
            });
            return Results.Ok();
        });
    }

    private static SimScriptVersion Find(SimApp app, string id)
        => app.ScriptVersions.FirstOrDefault(v => v.ScriptId == id) ?? throw QlikApiException.NotFound("Script version", id);

    /// <summary>Qlik's NxPatch list <c>[{qOp, qPath, qValue}]</c> (JSON Patch style op/path/value is accepted too).</summary>
    private static List<(string Path, string Value)> ParseNxPatches(JsonNode body)
    {
        var list = body as JsonArray ?? body["patchData"] as JsonArray ?? throw QlikApiException.BadRequest("The body must be an array of {qOp, qPath, qValue}.");
        return list.Select(p =>
        {
            var op = p.Str("qOp") ?? p.Str("op");
            var path = p.Str("qPath") ?? p.Str("path") ?? throw QlikApiException.BadRequest("Each patch needs qPath.");
            if (op is not ("replace" or "add")) throw QlikApiException.BadRequest("Only replace/add patches are supported on script versions.");
            var value = p.Str("qValue") ?? p.Str("value") ?? "";
            // qValue is JSON text in Qlik's NxPatch ("\"message\"").
            if (value.StartsWith('"')) value = JsonNode.Parse(value)?.GetValue<string>() ?? "";
            return (path, value);
        }).ToList();
    }
}
