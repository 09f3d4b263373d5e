using System.Net;

namespace QlikBackup.Cli.Api;

/// <summary>The API answered 4xx/5xx. Title and detail come from its problem details, or are made up from the status.</summary>
public sealed class ApiProblemException(HttpStatusCode status, string title, string? detail) : Exception($"{title}: {detail}")
{
    public HttpStatusCode Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
}

/// <summary>The API could not be reached at all (refused, DNS, TLS, timeout): nothing was answered.</summary>
public sealed class ApiUnreachableException(Uri baseAddress, string reason, Exception? inner = null)
    : Exception($"Cannot reach the QlikBackup API at {baseAddress}: {reason}.", inner)
{
    public Uri BaseAddress { get; } = baseAddress;
}

/// <summary>The API answered 2xx with a body the CLI cannot read (another product, or an incompatible version).</summary>
public sealed class ApiResponseException(string message, Exception? inner = null) : Exception(message, inner);
