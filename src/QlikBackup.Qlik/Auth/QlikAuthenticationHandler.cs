using System.Net;
using System.Net.Http.Headers;

namespace QlikBackup.Qlik.Auth;

/// <summary>Adds <c>Authorization: Bearer</c> (API key or OAuth token) to every tenant request.</summary>
public sealed class QlikAuthenticationHandler(IQlikAccessTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        string? asUser = request.Options.TryGetValue(Rest.QlikRequestOptions.ActAsUserId, out var u) ? u : null;
        var token = await tokens.GetTokenAsync(asUser, ct).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        // A revoked or expired token: forget it so the next request fetches a new one.
        if (response.StatusCode == HttpStatusCode.Unauthorized) tokens.Invalidate(asUser);
        return response;
    }
}
