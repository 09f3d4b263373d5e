using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace QlikBackup.Functions.Api;

/// <summary>
/// One HTTP request as a handler sees it, whichever host received it: the request, the route values, the Durable
/// client, the request's services and the caller identity (<see cref="ApiCaller"/>).
/// </summary>
public sealed class ApiCall(
    HttpRequest request, IReadOnlyDictionary<string, string> routeValues, DurableTaskClient durable, IServiceProvider services, ApiCaller caller)
{
    public HttpRequest Request { get; } = request;

    public DurableTaskClient Durable { get; } = durable;

    public IServiceProvider Services { get; } = services;

    public ApiCaller Caller { get; } = caller;

    public CancellationToken Aborted => Request.HttpContext.RequestAborted;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A route value of the template, e.g. "id" of "operations/{id}".</summary>
    public string Route(string name) =>
        routeValues.TryGetValue(name, out string? value) ? value : throw new InvalidOperationException($"The route has no '{{{name}}}'.");
}
