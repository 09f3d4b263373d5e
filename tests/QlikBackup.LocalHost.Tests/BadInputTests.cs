using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Functions.Api;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// Generated malformed requests over every route of the table and the webhook, against the real local host:
/// none may answer 5xx or 2xx, and every answer must be a problem document naming the field to fix.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class BadInputTests(LocalEnvironmentFixture fixture)
{
    /// <summary>A malformed request and the field its problem must name.</summary>
    public sealed record Bad(string Method, string Path, string? Body, string Field, string? Signature = null, bool Sign = false)
    {
        public override string ToString() => $"{Method} {Path} {Show(Body)} (field {Field})";

        static string Show(string? s) => s is null ? "" : s.Length > 120 ? s[..120] + $"… ({s.Length} chars)" : s;
    }

    const int PerRoute = 30;

    // Ids that must never reach a Table key, a blob path or a Qlik URL.
    static readonly Gen<string> BadId = Gen.OneOf(
        Gen.OneOf("a#b", "a?b", "a\\b", "a\nb", "a\u0000b", "../etc", "..", "a b", "a/b", "-leading", "é", "a\tb", "\u202Eabc"),
        Gen.Int[129, 12_000].Select(n => new string('x', n)),
        Gen.Char["#?\\\n\r\u0000\u0001/ %\"'<>"].Select(Gen.String["abc123"], (c, s) => s + c + s));

    static readonly Gen<string> BadEnumJson = Gen.OneOf(
        Gen.OneOf("0", "9", "-1", "-5", "99", "1.5", "\"T1,T2\"", "\"T4\"", "\"\"", "\"App,Space\"", "\"Spreadsheet\"", "[]", "{}", "true", "\"1\""),
        Gen.Int.Where(n => n is < 0 or > 20).Select(n => n.ToString()),
        Gen.String[1, 30].Where(s => !Enum.GetNames<Core.Assets.Tier>().Contains(s, StringComparer.OrdinalIgnoreCase)
            && !Enum.GetNames<Core.Assets.AssetKind>().Contains(s, StringComparer.OrdinalIgnoreCase)).Select(s => JsonSerializer.Serialize(s)));

    static readonly Gen<string> NotJson = Gen.OneOf(
        Gen.OneOf("{not json", "[1,2]", "\"text\"", "42", "{\"tier\":", "<xml/>", "null"),
        Gen.String[1, 200].Where(s => !s.TrimStart().StartsWith('{')));

    static string J(object o) => JsonSerializer.Serialize(o);

    static string Q(string s) => Uri.EscapeDataString(s);

    /// <summary>
    /// In a path, a NUL (%00) is refused by Kestrel itself before any application code runs (a bare 400), so path ids
    /// are generated without it; the query and body generators keep it.
    /// </summary>
    static readonly Gen<string> BadPathId = BadId.Where(id => !id.Contains('\u0000') && id.Length is > 0 and <= 4000 && id is not ("." or ".."));

    public static readonly Dictionary<string, Gen<Bad>> Routes = new()
    {
        ["StartBackup"] = Gen.OneOf(
            BadEnumJson.Select(t => new Bad("POST", "api/backups", $"{{\"tier\":{t}}}", "tier")),
            BadEnumJson.Select(k => new Bad("POST", "api/backups", $"{{\"kind\":{k},\"assetId\":\"a1\"}}", "kind")),
            BadId.Select(id => new Bad("POST", "api/backups", J(new { kind = "App", assetId = id }), "assetId")),
            BadId.Select(id => new Bad("POST", "api/backups", J(new { kind = "App", assetId = "a1", spaceId = id }), "spaceId")),
            Gen.Const(new Bad("POST", "api/backups", "{}", "tier")),
            Gen.Const(new Bad("POST", "api/backups", "{\"kind\":\"App\"}", "assetId")),
            NotJson.Select(b => new Bad("POST", "api/backups", b, "body"))),
        ["GetOperation"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/operations/{Q(id)}", null, "id")),
            Gen.Const(new Bad("GET", "api/operations/no-such-operation", null, "id"))),
        ["StartRestore"] = Gen.OneOf(
            BadEnumJson.Select(s => new Bad("POST", "api/restores", $"{{\"scope\":{s},\"assetId\":\"a1\"}}", "scope")),
            BadEnumJson.Select(k => new Bad("POST", "api/restores", $"{{\"scope\":\"TenantConfig\",\"kinds\":[{k}]}}", "kinds[0]")),
            BadEnumJson.Select(t => new Bad("POST", "api/restores", $"{{\"assetId\":\"a1\",\"target\":{t}}}", "target")),
            BadId.Select(id => new Bad("POST", "api/restores", J(new { scope = "App", pointId = id }), "pointId")),
            BadId.Select(id => new Bad("POST", "api/restores", J(new { scope = "App", kind = "App", assetId = id }), "assetId")),
            BadId.Select(id => new Bad("POST", "api/restores", J(new { scope = "Object", kind = "App", assetId = "a1", objectId = id }), "objectId")),
            Gen.OneOf("\"yesterday\"", "42", "\"2026-13-45\"").Select(d => new Bad("POST", "api/restores", $"{{\"assetId\":\"a1\",\"incidentTime\":{d}}}", "incidentTime")),
            NotJson.Select(b => new Bad("POST", "api/restores", b, "body"))),
        ["GetRestore"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/restores/{Q(id)}", null, "id")),
            Gen.Const(new Bad("GET", "api/restores/no-such-restore", null, "id"))),
        ["ExecuteRestorePlan"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("POST", $"api/restores/{Q(id)}/execute", null, "id")),
            Gen.Const(new Bad("POST", "api/restores/no-such-restore/execute", null, "id"))),
        ["SearchRecoveryPoints"] = Gen.OneOf(
            BadEnumJson.Select(k => new Bad("GET", $"api/recovery-points?kind={Q(k.Trim('"'))}", null, "kind")),
            Gen.OneOf("0", "-1", "1001", "x", "1e3", "99999999999").Select(t => new Bad("GET", $"api/recovery-points?take={Q(t)}", null, "take")),
            Gen.OneOf("yesterday", "2026-13-45", "soon").Select(d => new Bad("GET", $"api/recovery-points?from={Q(d)}", null, "from")),
            Gen.OneOf("yesterday", "2026-13-45", "later").Select(d => new Bad("GET", $"api/recovery-points?to={Q(d)}", null, "to")),
            BadId.Where(id => id.Trim().Length > 0).Select(id => new Bad("GET", $"api/recovery-points?assetId={Q(id)}", null, "assetId")),
            BadId.Where(id => id.Trim().Length > 0).Select(id => new Bad("GET", $"api/recovery-points?spaceId={Q(id)}", null, "spaceId")),
            BadId.Where(id => id.Trim().Length > 0).Select(id => new Bad("GET", $"api/recovery-points?ownerId={Q(id)}", null, "ownerId"))),
        ["GetRecoveryPoint"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/recovery-points/{Q(id)}", null, "pointId")),
            Gen.Const(new Bad("GET", $"api/recovery-points/{Core.Storage.RecoveryPointIds.Create(Core.Assets.AssetKind.App, "no-such-app", DateTimeOffset.UnixEpoch)}", null, "pointId"))),
        ["GetAssetHistory"] = Gen.OneOf(
            BadEnumJson.Select(k => k.Trim('"')).Where(k => k.Length > 0 && !k.Contains('/')).Select(k => new Bad("GET", $"api/assets/{Q(k)}/a1/history", null, "kind")),
            BadPathId.Select(id => new Bad("GET", $"api/assets/App/{Q(id)}/history", null, "assetId")),
            Gen.OneOf("0", "-1", "1001", "x").Select(t => new Bad("GET", $"api/assets/App/a1/history?take={t}", null, "take"))),
        ["Compare"] = Gen.OneOf(
            Gen.Const(new Bad("GET", "api/compare", null, "pointA")),
            BadId.Where(id => id.Trim().Length > 0).Select(id => new Bad("GET", $"api/compare?pointA={Q(id)}", null, "pointA")),
            BadId.Where(id => id.Trim().Length > 0).Select(id => new Bad("GET", $"api/compare?pointA={Core.Storage.RecoveryPointIds.Create(Core.Assets.AssetKind.App, "a1", DateTimeOffset.UnixEpoch)}&pointB={Q(id)}", null, "pointB"))),
        ["Promote"] = Gen.OneOf(
            Gen.Const(new Bad("POST", "api/promotions", "{}", "validationAppId")),
            BadId.Select(id => new Bad("POST", "api/promotions", J(new { validationAppId = id }), "validationAppId")),
            BadId.Select(id => new Bad("POST", "api/promotions", J(new { validationAppId = "a1", productionAppId = id }), "productionAppId")),
            BadId.Select(id => new Bad("POST", "api/promotions", J(new { validationAppId = "a1", targetSpaceId = id }), "targetSpaceId")),
            NotJson.Select(b => new Bad("POST", "api/promotions", b, "body"))),
        // A drill's clean-up run again: a malformed drill id, or one with no report and no operation (404), names the route's id.
        ["StartDrillCleanUp"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("POST", $"api/drills/{Q(id)}/clean-up", null, "id")),
            Gen.Const(new Bad("POST", "api/drills/no-such-drill/clean-up", null, "id"))),
        ["StartVerify"] = Gen.OneOf(
            BadId.Select(id => new Bad("POST", "api/verify", J(new { pointId = id }), "pointId")),
            BadId.Select(id => new Bad("POST", "api/verify", J(new { kind = "App", assetId = id }), "assetId")),
            BadEnumJson.Select(k => new Bad("POST", "api/verify", $"{{\"kind\":{k},\"assetId\":\"a1\"}}", "kind")),
            Gen.Const(new Bad("POST", "api/verify", "{}", "body")),
            Gen.Const(new Bad("POST", "api/verify", "{\"assetId\":\"a1\",\"all\":true}", "body")),
            Gen.Const(new Bad("POST", "api/verify", "{\"kind\":\"App\"}", "kind")),
            NotJson.Select(b => new Bad("POST", "api/verify", b, "body"))),
        ["ExecuteRestorePlan"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("POST", $"api/restores/{Q(id)}/execute", null, "id")),
            Gen.Const(new Bad("POST", "api/restores/no-such-restore/execute", null, "id"))),
        ["GetRestore"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/restores/{Q(id)}", null, "id")),
            Gen.Const(new Bad("GET", "api/restores/no-such-restore", null, "id"))),
        ["StartDrill"] = Gen.OneOf(
            BadEnumJson.Select(s => new Bad("POST", "api/drills", $"{{\"scope\":{s},\"tier\":\"T1\"}}", "scope")),
            BadEnumJson.Select(t => new Bad("POST", "api/drills", $"{{\"scope\":\"Sample\",\"tier\":{t}}}", "tier")),
            Gen.OneOf("Sample", "Tier").Select(s => new Bad("POST", "api/drills", J(new { scope = s }), "tier")),
            Gen.Int.Where(n => n is < 1 or > 500).Select(n => new Bad("POST", "api/drills", J(new { scope = "Sample", tier = "T1", sampleSize = n }), "sampleSize")),
            BadId.Select(id => new Bad("POST", "api/drills", J(new { scope = "Space", spaceId = id }), "spaceId")),
            // Only a Tenant drill rebuilds into the standby, so only it can keep the rebuild; and the flag is a JSON boolean.
            Gen.OneOf("Sample", "Tier").Select(s => new Bad("POST", "api/drills", J(new { scope = s, tier = "T1", keepStandby = true }), "keepStandby")),
            Gen.Const(new Bad("POST", "api/drills", J(new { scope = "Space", spaceId = "0123456789abcdef01234567", keepStandby = true }), "keepStandby")),
            Gen.OneOf("\"yes\"", "\"true\"", "1", "0", "null", "[]", "{}").Select(v => new Bad("POST", "api/drills", $"{{\"scope\":\"Tenant\",\"keepStandby\":{v}}}", "keepStandby")),
            // This host has no standby tenant (Drill:Standby): a whole-tenant drill is refused before anything starts.
            Gen.Const(new Bad("POST", "api/drills", J(new { scope = "Tenant" }), "scope")),
            NotJson.Select(b => new Bad("POST", "api/drills", b, "body"))),
        ["ListDrills"] = Gen.OneOf("0", "-1", "1001", "x", "1e3").Select(t => new Bad("GET", $"api/drills?take={Q(t)}", null, "take")),
        ["GetDrill"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/drills/{Q(id)}", null, "id")),
            Gen.Const(new Bad("GET", "api/drills/no-such-drill", null, "id"))),
        ["GetDrillReportHtml"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("GET", $"api/drills/{Q(id)}/report.html", null, "id")),
            Gen.Const(new Bad("GET", "api/drills/no-such-drill/report.html", null, "id"))),
        ["StartVerify"] = Gen.OneOf(
            BadId.Select(id => new Bad("POST", "api/verify", J(new { pointId = id }), "pointId")),
            BadId.Select(id => new Bad("POST", "api/verify", J(new { kind = "App", assetId = id }), "assetId")),
            BadEnumJson.Select(k => new Bad("POST", "api/verify", $"{{\"kind\":{k},\"assetId\":\"a1\"}}", "kind")),
            NotJson.Select(b => new Bad("POST", "api/verify", b, "body"))),
        // Routes without input: the malformed requests are the wrong methods.
        ["GetStatus"] = Gen.OneOf("POST", "DELETE", "PATCH", "PUT").Select(m => new Bad(m, "api/status", "{}", "method")),
        ["GetSpaceStatus"] = Gen.OneOf("POST", "DELETE", "PATCH", "PUT").Select(m => new Bad(m, "api/status/spaces", "{}", "method")),
        ["GetConsole"] = Gen.OneOf("POST", "DELETE", "PATCH", "PUT").Select(m => new Bad(m, "api/console", "{}", "method")),
        ["ListSpaceTiers"] = Gen.OneOf("POST", "DELETE", "PATCH").Select(m => new Bad(m, "api/spaces/tiers", "{}", "method")),
        ["GetOpenApiDocument"] = Gen.OneOf("POST", "DELETE", "PUT").Select(m => new Bad(m, "api/openapi.json", "{}", "method")),
        ["SetSpaceTier"] = Gen.OneOf(
            BadPathId.Select(id => new Bad("PUT", $"api/spaces/{Q(id)}/tier", J(new { tier = "T1" }), "spaceId")),
            BadEnumJson.Select(t => new Bad("PUT", "api/spaces/space-1/tier", $"{{\"tier\":{t}}}", "tier")),
            NotJson.Select(b => new Bad("PUT", "api/spaces/space-1/tier", b, "body"))),
        ["QlikWebhook"] = Gen.OneOf(
            Gen.String[0, 300].Select(b => new Bad("POST", "api/webhooks/qlik", b, "Qlik-Signature")),
            Gen.String["0123456789abcdef"].Select(sig => new Bad("POST", "api/webhooks/qlik", "{\"eventId\":\"e1\"}", "Qlik-Signature", Signature: sig)),
            NotJson.Select(b => new Bad("POST", "api/webhooks/qlik", b, "body", Sign: true)),
            BadId.Where(id => id.Length <= 4000).Select(id => new Bad("POST", "api/webhooks/qlik", J(new
            {
                eventId = Guid.NewGuid().ToString(), eventType = "com.qlik.v1.app.data.updated", eventTime = DateTimeOffset.UtcNow,
                extensions = new { topLevelResourceId = id },
            }), "topLevelResourceId", Sign: true))),
    };

    [Fact]
    public void Every_route_of_the_table_has_a_generator()
    {
        Assert.Equal(ApiRoutes.All.Select(r => r.OperationId).Order(), Routes.Keys.Order());
    }

    [Fact]
    public async Task Hundreds_of_malformed_requests_are_each_refused_with_a_problem_naming_the_field()
    {
        var answers = new ConcurrentBag<string>();
        int sent = 0;
        foreach (var (operationId, gen) in Routes)
        {
            await gen.SampleAsync(
                async bad =>
                {
                    Interlocked.Increment(ref sent);
                    string? wrong = await CheckAsync(bad);
                    if (wrong is not null)
                    {
                        answers.Add($"{operationId}: {bad} → {wrong}");
                    }
                },
                iter: PerRoute, threads: 1);
        }

        Assert.True(sent >= 300, $"Only {sent} requests were generated.");
        Assert.True(answers.IsEmpty, string.Join("\n", answers.Take(30)));
    }

    /// <summary>What is wrong with the answer to <paramref name="bad"/>, or null when it is a proper refusal.</summary>
    async Task<string?> CheckAsync(Bad bad)
    {
        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Path);
        if (bad.Body is not null)
        {
            byte[] body = Encoding.UTF8.GetBytes(bad.Body);
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            string? signature = bad.Sign ? QlikWebhookSignature.Compute(body, fixture.Env.WebhookSecret) : bad.Signature;
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation("Qlik-Signature", signature);
            }
        }

        using HttpResponseMessage response = await fixture.Api.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        int status = (int)response.StatusCode;
        if (status is < 400 or >= 500)
        {
            return $"{status} {text[..Math.Min(200, text.Length)]}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} with {response.Content.Headers.ContentType?.MediaType ?? "no"} content type, body '{text}'";
        }

        using JsonDocument problem = JsonDocument.Parse(text);
        JsonElement root = problem.RootElement;
        string? field = root.TryGetProperty("field", out JsonElement f) ? f.GetString() : null;
        string? detail = root.TryGetProperty("detail", out JsonElement d) ? d.GetString() : null;
        if (string.IsNullOrWhiteSpace(detail) || root.GetProperty("status").GetInt32() != status)
        {
            return $"{status} problem without detail or status: {text}";
        }

        return field == bad.Field ? null : $"{status} names field '{field}', not '{bad.Field}': {detail}";
    }
}
