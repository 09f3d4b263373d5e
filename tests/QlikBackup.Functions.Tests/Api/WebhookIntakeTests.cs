using QlikBackup.Functions.Tests.Support;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Functions.Api;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Tests.Api;

/// <summary>The webhook route: size limit before reading, and an event recorded as seen only once its capture started.</summary>
public sealed class WebhookIntakeTests
{
    /// <summary>Decides Capture for every delivery and remembers what was marked started.</summary>
    sealed class ScriptedIntake : IWebhookIntake
    {
        public int Accepted { get; private set; }
        public List<string> Started { get; } = [];

        public Task<WebhookDecision> AcceptAsync(ReadOnlyMemory<byte> body, string? signatureHeader, CancellationToken ct = default)
        {
            Accepted++;
            return Task.FromResult(new WebhookDecision(WebhookDecisionKind.Capture, "capture", new AssetRef(AssetKind.App, "app-1"), Tier.T1, "event-1", "com.qlik.v1.app.updated"));
        }

        public Task MarkStartedAsync(WebhookDecision decision, CancellationToken ct = default)
        {
            Started.Add(decision.EventId!);
            return Task.CompletedTask;
        }
    }

    /// <summary>A body that must never be read.</summary>
    sealed class UnreadableStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("The body was read.");
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => throw new InvalidOperationException("The body was read.");
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => throw new InvalidOperationException("The body was read.");
    }

    /// <summary>Endless bytes, counting how many were handed out.</summary>
    sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) { Array.Fill(buffer, (byte)'x', offset, count); Served += count; return count; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    static ApiCall Call(Stream body, long? contentLength, IWebhookIntake intake, DurableTaskClient? durable = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = body;
        context.Request.ContentLength = contentLength;
        context.Request.Path = "/api/webhooks/qlik";
        ServiceProvider services = new ServiceCollection()
            .AddSingleton(intake)
            .Configure<WebhookOptions>(o => o.MaxBodyBytes = 64 * 1024)
            .BuildServiceProvider();
        return new ApiCall(context.Request, new Dictionary<string, string>(), durable!, services, ApiCaller.From(context.Request, [], "local", trustPrincipalHeader: false));
    }

    static ApiRoute Route => ApiRoutes.ByOperationId("QlikWebhook");

    [Fact]
    public async Task A_30_MB_delivery_is_refused_413_before_its_body_is_read()
    {
        var intake = new ScriptedIntake();

        IActionResult result = await ApiRoutes.ServeAsync(Route, Call(new UnreadableStream(), 30L * 1024 * 1024, intake));

        Assert.Equal(413, Assert.IsType<ObjectResult>(result).StatusCode);
        Assert.Equal(0, intake.Accepted);
    }

    [Fact]
    public async Task A_chunked_delivery_is_read_only_up_to_the_limit()
    {
        var intake = new ScriptedIntake();
        var body = new EndlessStream();

        IActionResult result = await ApiRoutes.ServeAsync(Route, Call(body, null, intake));

        Assert.Equal(413, Assert.IsType<ObjectResult>(result).StatusCode);
        Assert.True(body.Served <= 64 * 1024 + 16 * 1024, $"read {body.Served} bytes");
        Assert.Equal(0, intake.Accepted);
    }

    [Fact]
    public async Task An_event_is_marked_seen_only_after_its_capture_started()
    {
        var intake = new ScriptedIntake();
        byte[] payload = Encoding.UTF8.GetBytes("{}");
        DurableTaskTestHost host = await TestHosts.StartAsync(registry =>
            registry.AddOrchestratorFunc<CaptureAssetInput, string>(nameof(CaptureAssetOrchestrator), (_, _) => Task.FromResult("ok")));
        DurableTaskClient client = host.Client;
        await host.DisposeAsync();

        // The task hub is down: the start fails (a 500 problem, so Qlik redelivers), the event is not recorded and its redelivery will be processed.
        IActionResult down = await ApiRoutes.ServeAsync(Route, Call(new MemoryStream(payload), payload.Length, intake, client));
        Assert.Equal(500, Assert.IsType<ObjectResult>(down).StatusCode);
        Assert.Empty(intake.Started);

        await using DurableTaskTestHost up = await TestHosts.StartAsync(registry =>
            registry.AddOrchestratorFunc<CaptureAssetInput, string>(nameof(CaptureAssetOrchestrator), (_, _) => Task.FromResult("ok")));
        IActionResult result = await ApiRoutes.ServeAsync(Route, Call(new MemoryStream(payload), payload.Length, intake, up.Client));

        Assert.Equal(202, Assert.IsType<ObjectResult>(result).StatusCode);
        Assert.Equal(["event-1"], intake.Started);
        Assert.NotNull(await up.Client.GetInstanceAsync("webhook-event-1"));
    }
}
