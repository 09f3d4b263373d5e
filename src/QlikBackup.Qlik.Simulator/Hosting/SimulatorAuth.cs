using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator;

/// <summary>Bearer authentication (API keys and OAuth access tokens) and the OAuth token endpoint.</summary>
public static class SimulatorAuth
{
    /// <summary>How long OAuth access tokens live (Qlik M2M tokens last 6 hours).</summary>
    public static TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Resolves the <c>Authorization: Bearer</c> header of a request; null when absent or invalid.</summary>
    public static SimulatedActor? TryAuthenticate(HttpContext context, SimulatedTenant tenant)
    {
        if (context.Items[Http.ActorKey] is SimulatedActor known) return known;
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var actor = tenant.ResolveBearerToken(header[prefix.Length..].Trim());
        if (actor is not null) context.Items[Http.ActorKey] = actor;
        return actor;
    }

    /// <summary>POST /oauth/token: client_credentials and urn:qlik:oauth:user-impersonation, JSON or form body.</summary>
    public static async Task<IResult> IssueTokenAsync(HttpContext context, SimulatedTenant tenant)
    {
        var body = await ReadTokenRequestAsync(context.Request);
        var grant = body.Str("grant_type") ?? throw QlikApiException.BadRequest("'grant_type' is required.", "invalid_request");
        var clientId = body.Str("client_id");
        var secret = body.Str("client_secret");
        var client = tenant.Read(s => s.OAuthClients.FirstOrDefault(c => c.ClientId == clientId));
        if (client is null || client.ClientSecret != secret)
            throw new QlikApiException(401, "invalid_client", "Unauthorized", "Unknown client or wrong client secret.");

        string userId;
        bool impersonated;
        if (grant == "client_credentials")
        {
            if (!client.AllowedGrantTypes.Contains("client_credentials"))
                throw new QlikApiException(400, "unauthorized_client", "Bad Request", "The client may not use client_credentials.");
            userId = client.UserId;
            impersonated = false;
        }
        else if (grant == SimOAuthClient.ImpersonationGrant)
        {
            if (!client.AllowsImpersonation)
                throw new QlikApiException(400, "unauthorized_client", "Bad Request", "The client is not allowed to impersonate users.");
            userId = LookupUser(tenant, body["user_lookup"]);
            if (context.RequestServices.GetService<SimulatorFaults>()?.IsImpersonationRefused(userId) == true)
                throw new QlikApiException(403, "access_denied", "Forbidden", "The user may not be impersonated.");
            impersonated = true;
        }
        else
        {
            throw new QlikApiException(400, "unsupported_grant_type", "Bad Request", $"Grant type '{grant}' is not supported.");
        }

        var scope = body.Str("scope") ?? string.Join(' ', client.AllowedScopes);
        var token = tenant.Write(new SimulatedActor(userId, ClientId: client.ClientId, Impersonated: impersonated), c =>
        {
            var t = new SimAccessToken
            {
                Token = Ids.NewToken(), ClientId = client.ClientId, UserId = userId, Scope = scope,
                Impersonated = impersonated, ExpiresAt = c.Now + TokenLifetime,
            };
            c.State.AccessTokens.RemoveAll(x => x.ExpiresAt <= c.Now);
            c.State.AccessTokens.Add(t);
            return t;
        });
        return Http.Json(new JsonObject
        {
            ["access_token"] = token.Token,
            ["token_type"] = "bearer",
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["expires_at"] = Http.Fmt(token.ExpiresAt),
            ["scope"] = scope,
        });
    }

    private static string LookupUser(SimulatedTenant tenant, JsonNode? lookup)
    {
        // Form posts carry user_lookup as a JSON string.
        if (lookup is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try { lookup = JsonNode.Parse(text); }
            catch (System.Text.Json.JsonException) { lookup = null; }
        }
        var field = lookup.Str("field");
        var value = lookup.Str("value") ?? throw QlikApiException.BadRequest("'user_lookup' with 'field' and 'value' is required.", "invalid_request");
        var user = tenant.Read(s => field switch
        {
            "subject" => s.Users.FirstOrDefault(u => u.Subject == value),
            "userId" => s.FindUser(value),
            _ => throw QlikApiException.BadRequest("'user_lookup.field' must be 'subject' or 'userId'.", "invalid_request"),
        });
        if (user is not { Status: "active" })
            throw new QlikApiException(400, "invalid_grant", "Bad Request", $"No active user with {field} '{value}'.");
        return user.Id;
    }

    private static async Task<JsonObject> ReadTokenRequestAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var o = new JsonObject();
            foreach (var (k, v) in form) o[k] = v.ToString();
            return o;
        }
        return await request.ReadJsonObjectAsync();
    }
}
