using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>The HttpClient pipeline: 429 waits for Retry-After, 5xx retries with backoff only where repeating is safe, concurrency bound.</summary>
public sealed class ResilienceTests
{
    [Fact]
    public async Task RateLimited_request_waits_for_RetryAfter_then_succeeds()
    {
        // The client's clock is driven by the test: the wait is measured exactly, not against wall-clock jitter.
        var clock = new WatchedClock();
        await using var h = await ClientHarness.StartAsync(clock: clock);
        var space = await h.Client.CreateSpaceAsync("throttled", "shared", null);
        h.Log.Clear();
        h.Simulator.Faults.RateLimitNext(1, retryAfterSeconds: 1, pathPrefix: "/api/v1/spaces/");

        // Cancelled on the way out: a read left waiting on the test's clock would hold the pipeline's disposal forever.
        using var abandon = new CancellationTokenSource();
        var reading = h.Client.GetSpaceAsync(space.Id, abandon.Token);
        QlikSpace? read;
        try
        {
            // The harness' exponential backoff is 50 ms, so a pending wait of exactly one second can only come from Retry-After.
            await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
            clock.Fake.Advance(TimeSpan.FromMilliseconds(999));
            Assert.Equal([429], h.Log.Matching("GET", $"/api/v1/spaces/{space.Id}").Select(a => a.Status));

            clock.Fake.Advance(TimeSpan.FromMilliseconds(1));
            read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            abandon.Cancel();
        }

        Assert.Equal(space.Id, read?.Id);
        Assert.Equal([429, 200], h.Log.Matching("GET", $"/api/v1/spaces/{space.Id}").Select(a => a.Status));
    }

    [Fact]
    public async Task RateLimited_post_is_resent_because_Qlik_did_not_process_it()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Simulator.Faults.RateLimitNext(1, retryAfterSeconds: 1, pathPrefix: "/api/v1/spaces");

        var space = await h.Client.CreateSpaceAsync("created-after-429", "shared", null);

        Assert.Equal("created-after-429", space.Name);
        Assert.Equal([429, 201], h.Log.Matching("POST", "/api/v1/spaces").Select(a => a.Status));
    }

    [Fact]
    public async Task Server_errors_on_reads_are_retried_with_backoff()
    {
        await using var h = await ClientHarness.StartAsync();
        var space = await h.Client.CreateSpaceAsync("flaky", "shared", null);
        h.Log.Clear();
        h.Simulator.Faults.FailNext(2, 503, "/api/v1/spaces/");
        h.Simulator.Faults.FailNext(1, 500, "/api/v1/spaces/");

        var read = await h.Client.GetSpaceAsync(space.Id);

        Assert.Equal("flaky", read?.Name);
        Assert.Equal([503, 503, 500, 200], h.Log.Matching("GET", "/api/v1/spaces/").Select(a => a.Status));
    }

    [Fact]
    public async Task Server_error_on_a_create_is_not_repeated_so_nothing_is_created_twice()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Simulator.Faults.FailNext(1, 502, "/api/v1/spaces");

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.CreateSpaceAsync("once", "shared", null));

        Assert.Equal(502, e.Status);
        Assert.Single(h.Log.Matching("POST", "/api/v1/spaces"));
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_configured_attempts()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Simulator.Faults.FailNext(50, 503, "/api/v1/spaces");

        var e = await Assert.ThrowsAsync<QlikApiException>(async () => { await foreach (var _ in h.Client.ListSpacesAsync()) { } });

        Assert.Equal(503, e.Status);
        Assert.Equal(1 + 4, h.Log.Matching("GET", "/api/v1/spaces").Count()); // MaxRetryAttempts = 4 in the harness
    }

    [Fact]
    public async Task Parallel_requests_never_exceed_MaxConcurrentRequests()
    {
        await using var h = await ClientHarness.StartAsync(settings: new Dictionary<string, string?> { ["Qlik:MaxConcurrentRequests"] = "2" });
        var space = await h.Client.CreateSpaceAsync("busy", "shared", null);
        h.Simulator.Faults.Latency = TimeSpan.FromMilliseconds(150);

        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => h.Client.GetSpaceAsync(space.Id)));

        Assert.All(reads, r => Assert.Equal(space.Id, r?.Id));
        Assert.Equal(2, h.Log.MaxInFlight);
    }
}
