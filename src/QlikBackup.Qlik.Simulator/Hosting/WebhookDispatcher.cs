using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator;

/// <summary>
/// Delivers audit events to registered webhooks (enabled, event type subscribed, loopback URL), best effort and
/// asynchronously, with Qlik's <c>Qlik-Signature</c> header = hex HMAC-SHA256 of the body keyed by the webhook secret.
/// Every attempt is recorded on <see cref="SimulatedTenant.WebhookDeliveries"/>.
/// </summary>
public sealed class WebhookDispatcher : IDisposable
{
    public const string SignatureHeader = "Qlik-Signature";

    private readonly SimulatedTenant _tenant;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<int, Task> _inFlight = new();
    private int _next;

    public WebhookDispatcher(SimulatedTenant tenant)
    {
        _tenant = tenant;
        tenant.EventRaised += OnEvent;
    }

    /// <summary>Waits until every delivery started so far has finished.</summary>
    public async Task FlushAsync()
    {
        while (!_inFlight.IsEmpty) await Task.WhenAll(_inFlight.Values.ToArray());
    }

    /// <summary>The JSON body Qlik sends for an event (CloudEvents 0.1 style envelope).</summary>
    public static JsonObject EventBody(SimAuditEvent e) => new()
    {
        ["cloudEventsVersion"] = "0.1",
        ["source"] = e.Source,
        ["contentType"] = e.ContentType,
        ["eventId"] = e.EventId,
        ["eventTime"] = Http.Fmt(e.EventTime),
        ["eventTypeVersion"] = e.EventTypeVersion,
        ["eventType"] = e.EventType,
        ["extensions"] = e.Extensions.DeepClone(),
        ["data"] = e.Data.DeepClone(),
    };

    public static string Sign(string body, string secret)
        => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private void OnEvent(SimAuditEvent e)
    {
        var targets = _tenant.Read(s => s.Resource(ResourceKinds.Webhooks)
            .Where(w => w["enabled"]?.GetValue<bool>() == true && Subscribes(w, e.EventType))
            .Select(w => (Id: w.Str("id")!, Url: w.Str("url") ?? "", Secret: w.Str("secret")))
            .ToList());
        if (targets.Count == 0) return;
        var body = EventBody(e).ToJsonString();
        foreach (var target in targets)
        {
            var n = Interlocked.Increment(ref _next);
            var task = Task.Run(() => DeliverAsync(target.Id, target.Url, target.Secret, e, body));
            _inFlight[n] = task;
            task.ContinueWith(_ => _inFlight.TryRemove(n, out Task? _), TaskScheduler.Default);
        }
    }

    private static bool Subscribes(JsonObject webhook, string eventType)
        => webhook["eventTypes"] is JsonArray types && types.Any(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s == eventType);

    private async Task DeliverAsync(string webhookId, string url, string? secret, SimAuditEvent e, string body)
    {
        var signature = string.IsNullOrEmpty(secret) ? null : Sign(body, secret);
        int? status = null;
        string? error = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsLoopback(uri))
        {
            error = "Not delivered: the simulator only calls loopback URLs.";
        }
        else
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (signature is not null) request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
                request.Headers.TryAddWithoutValidation("User-Agent", "Qlik Webhook");
                using var response = await _http.SendAsync(request);
                status = (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                error = ex.Message;
            }
        }
        _tenant.RecordDelivery(new WebhookDelivery(Ids.NewObjectId(), webhookId, e.EventId, e.EventType, url, body, signature, status, error, _tenant.Time.GetUtcNow()));
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public void Dispose()
    {
        _tenant.EventRaised -= OnEvent;
        _http.Dispose();
    }
}
