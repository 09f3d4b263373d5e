using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>API key and OAuth M2M (client credentials with token caching, user impersonation).</summary>
public sealed class AuthTests
{
    [Fact]
    public async Task Api_key_is_sent_as_bearer()
    {
        await using var h = await ClientHarness.StartAsync();

        await h.Client.CreateSpaceAsync("keyed", "shared", null);

        var request = Assert.Single(h.Log.Requests);
        Assert.Equal($"Bearer {h.Simulator.AdminApiKey}", request.Authorization);
        Assert.DoesNotContain(h.Log.Requests, r => r.PathAndQuery.StartsWith("/oauth/"));
    }

    [Fact]
    public async Task OAuth_token_is_requested_once_and_reused_for_many_calls()
    {
        await using var h = await ClientHarness.StartAsync(oauth: true);

        var space = await h.Client.CreateSpaceAsync("oauth-space", "shared", null);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => h.Client.GetSpaceAsync(space.Id)));
        await foreach (var _ in h.Client.ListSpacesAsync()) { }

        var tokenRequest = Assert.Single(h.Log.Matching("POST", "/oauth/token"));
        Assert.Equal(200, tokenRequest.Status);
        Assert.Null(tokenRequest.Authorization);
        var apiCalls = h.Log.Requests.Where(r => r.PathAndQuery.StartsWith("/api/")).ToList();
        Assert.True(apiCalls.Count >= 8);
        Assert.Single(apiCalls.Select(r => r.Authorization).Distinct());
        Assert.StartsWith("Bearer ", apiCalls[0].Authorization);
        // The token acts as the OAuth client's user, and the audit trail names the client.
        Assert.Equal(h.Simulator.AdminUserId, space.OwnerId);
        var created = new List<QlikAuditEvent>();
        await foreach (var e in h.Client.ListAuditsAsync(eventType: "com.qlik.space.created")) created.Add(e);
        var audit = Assert.Single(created);
        Assert.Equal(h.Simulator.AdminUserId, audit.UserId);
        Assert.Equal(ClientHarness.OAuthClientId, audit.ClientId);
        Assert.Equal(space.Id, audit.TopLevelResourceId);
    }

    [Fact]
    public async Task OAuth_token_is_renewed_when_inside_the_refresh_margin()
    {
        // The simulator's tokens live 6 h; a 7 h margin makes every cached token "about to expire".
        await using var h = await ClientHarness.StartAsync(oauth: true, settings: new Dictionary<string, string?> { ["Qlik:TokenRefreshMargin"] = "07:00:00" });

        await h.Client.CreateSpaceAsync("renew-1", "shared", null);
        await h.Client.CreateSpaceAsync("renew-2", "shared", null);

        Assert.Equal(2, h.Log.Matching("POST", "/oauth/token").Count());
    }

    [Fact]
    public async Task Impersonation_token_acts_as_that_user()
    {
        await using var h = await ClientHarness.StartAsync(oauth: true);
        var userId = h.AddUser("Alice");

        var token = await h.Tokens.GetTokenAsync(userId);
        var again = await h.Tokens.GetTokenAsync(userId);
        var clientToken = await h.Tokens.GetTokenAsync();

        Assert.Equal(token, again);
        Assert.NotEqual(clientToken, token);
        Assert.Equal(2, h.Log.Matching("POST", "/oauth/token").Count()); // one per identity, then cached
        var actor = h.Simulator.Tenant.ResolveBearerToken(token);
        Assert.Equal(userId, actor?.UserId);
        Assert.True(actor?.Impersonated);
        Assert.Equal(ClientHarness.OAuthClientId, actor?.ClientId);

        // And the tenant answers "who am I" with Alice.
        using var http = new HttpClient { BaseAddress = h.Simulator.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await http.GetFromJsonAsync<JsonElement>("api/v1/users/me");
        Assert.Equal(userId, me.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Impersonation_needs_an_OAuth_client_and_says_so()
    {
        await using var h = await ClientHarness.StartAsync();

        Assert.False(h.Tokens.CanImpersonate);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await h.Tokens.GetTokenAsync("some-user"));
        Assert.Contains("Qlik:OAuthClientId", e.Message);
    }

    [Fact]
    public async Task Impersonating_an_unknown_user_is_a_QlikApiException()
    {
        await using var h = await ClientHarness.StartAsync(oauth: true);

        var e = await Assert.ThrowsAsync<QlikApiException>(async () => await h.Tokens.GetTokenAsync("no-such-user"));

        Assert.Equal(400, e.Status);
        Assert.False(string.IsNullOrEmpty(e.Code));
    }

    [Fact]
    public async Task Wrong_client_secret_fails_with_401_from_the_token_endpoint()
    {
        await using var h = await ClientHarness.StartAsync(oauth: true, settings: new Dictionary<string, string?> { ["Qlik:OAuthClientSecret"] = "wrong" });

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.CreateSpaceAsync("never", "shared", null));

        Assert.Equal(401, e.Status);
        Assert.DoesNotContain(h.Log.Requests, r => r.PathAndQuery.StartsWith("/api/"));
    }
}
