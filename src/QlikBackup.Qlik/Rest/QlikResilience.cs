using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>
/// The resilience pipeline every tenant request goes through (outermost first): a concurrency limiter bounded by
/// <see cref="QlikOptions.MaxConcurrentRequests"/>, retry, and a per-attempt timeout.
/// Retry: 429 always (the request was not processed) waiting for <c>Retry-After</c>; 5xx, 408 and network errors
/// (<see cref="HttpRequestException"/>, <see cref="IOException"/>, attempt timeout) only for requests that may safely
/// be repeated (GET/PUT/DELETE, or marked <see cref="QlikRequestOptions.SafeToRetry"/>), with jittered exponential backoff.
/// </summary>
public static class QlikResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, QlikOptions options)
    {
        builder
            .AddConcurrencyLimiter(options.MaxConcurrentRequests, queueLimit: int.MaxValue)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                // The delay of a 429 comes from its Retry-After header.
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                // Uploading a multi-GB QVF is not bounded by the header timeout; Timeout.InfiniteTimeSpan disables it.
                TimeoutGenerator = args => ValueTask.FromResult(
                    IsSet(args.Context.GetRequestMessage(), QlikRequestOptions.LongRunning) ? Timeout.InfiniteTimeSpan : options.RequestTimeout),
            });
    }

    /// <summary>Whether a failed attempt is retried (public for tests of the policy itself).</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = outcome.Result?.RequestMessage ?? context.GetRequestMessage();
        if (request is null || IsSet(request, QlikRequestOptions.SingleShot)) return false;

        if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests) return true;
            var transient = status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout;
            return transient && MayRepeat(request);
        }

        return outcome.Exception switch
        {
            // The caller's own cancellation is not a fault; an attempt timeout is.
            TimeoutRejectedException => MayRepeat(request),
            OperationCanceledException => false,
            HttpRequestException or IOException => MayRepeat(request),
            _ => false,
        };
    }

    private static bool MayRepeat(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put
        || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options
        || IsSet(request, QlikRequestOptions.SafeToRetry);

    private static bool IsSet(HttpRequestMessage? request, HttpRequestOptionsKey<bool> key) =>
        request is not null && request.Options.TryGetValue(key, out var value) && value;
}
