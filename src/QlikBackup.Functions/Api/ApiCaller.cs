using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace QlikBackup.Functions.Api;

/// <summary>
/// Who called the API, by one rule on both hosts: the authenticated principal when there is one (App Service
/// authentication's X-MS-CLIENT-PRINCIPAL-NAME, or an Entra ID token's name), else the name of the function key.
/// A name the caller writes itself (X-Operator header, body "operator") proves nothing, so it is only kept as a note.
/// </summary>
public sealed record ApiCaller(string Operator, string? Note)
{
    /// <summary>Claim the Functions host puts on a key-authenticated request: the name of the key used.</summary>
    public const string KeyIdClaim = "http://schemas.microsoft.com/2017/07/functions/claims/keyid";

    /// <summary>The Functions host's identity for key authentication; it names a key, not a person.</summary>
    const string KeyAuthenticationType = "WebJobsAuthLevel";

    public const string OperatorHeader = "X-Operator";
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    /// <param name="identities">The request's identities (App Service / Entra ID and, on Functions, the key's).</param>
    /// <param name="fallbackKeyName">The key name when no identity names one (the local host's own key).</param>
    /// <param name="trustPrincipalHeader">
    /// Only when App Service authentication is on (<see cref="AppServiceAuthenticationEnabled"/>) does the platform set
    /// X-MS-CLIENT-PRINCIPAL-NAME and strip a caller's own; otherwise the header is just more text the caller wrote.
    /// </param>
    public static ApiCaller From(HttpRequest request, IEnumerable<ClaimsIdentity> identities, string fallbackKeyName, bool trustPrincipalHeader)
    {
        var all = identities.ToList();
        string? header = NonEmpty(request.Headers[PrincipalHeader].ToString());
        string? principal = (trustPrincipalHeader ? header : null)
            ?? all.Where(i => i.IsAuthenticated && i.AuthenticationType != KeyAuthenticationType)
                .Select(i => NonEmpty(i.Name) ?? NonEmpty(i.FindFirst("preferred_username")?.Value) ?? NonEmpty(i.FindFirst(ClaimTypes.Upn)?.Value))
                .FirstOrDefault(n => n is not null);
        string key = all.Select(i => NonEmpty(i.FindFirst(KeyIdClaim)?.Value)).FirstOrDefault(n => n is not null) ?? fallbackKeyName;
        string? note = string.Join("; ", new[] { NonEmpty(request.Headers[OperatorHeader].ToString()), trustPrincipalHeader ? null : header }.OfType<string>());
        return new ApiCaller(principal ?? $"key:{key}", note.Length == 0 ? null : Clip(note));
    }

    /// <summary>App Service sets WEBSITE_AUTH_ENABLED=True when its authentication is on for the app.</summary>
    public static bool AppServiceAuthenticationEnabled =>
        string.Equals(Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The caller with a further claimed name (a body's "operator") added to the note.</summary>
    public ApiCaller WithClaim(string? claimed) =>
        NonEmpty(claimed) is not { } c || c == Note ? this : this with { Note = Clip(Note is null ? c : $"{Note}; {c}") };

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    // A note is free text from the caller: bounded, so it cannot bloat the audit row.
    static string Clip(string s) => s.Length <= 200 ? s : s[..200];
}
