namespace QlikBackup.Qlik.Rest;

/// <summary>Names of the HttpClients (and their resilience pipelines) registered by <c>AddQlikClient</c>.</summary>
public static class QlikHttpClientNames
{
    /// <summary>The typed REST client (<see cref="Contracts.IQlikRestClient"/>).</summary>
    public const string Rest = "QlikBackup.Qlik.Rest";

    /// <summary>POST /oauth/token: has no auth handler of its own.</summary>
    public const string OAuth = "QlikBackup.Qlik.OAuth";
}

/// <summary>Per-request hints read by the resilience pipeline.</summary>
public static class QlikRequestOptions
{
    /// <summary>A POST/PATCH that may be repeated after a 5xx or network error (it creates nothing twice).</summary>
    public static readonly HttpRequestOptionsKey<bool> SafeToRetry = new("QlikBackup.SafeToRetry");

    /// <summary>The body is a stream that cannot be rewound, so the request can be sent only once.</summary>
    public static readonly HttpRequestOptionsKey<bool> SingleShot = new("QlikBackup.SingleShot");

    /// <summary>Send the request as this user (OAuth impersonation, reference §13), e.g. to create a resource as its owner.</summary>
    public static readonly HttpRequestOptionsKey<string> ActAsUserId = new("QlikBackup.ActAsUserId");

    /// <summary>Uploads a large body (QVF import): no per-attempt timeout.</summary>
    public static readonly HttpRequestOptionsKey<bool> LongRunning = new("QlikBackup.LongRunning");
}
