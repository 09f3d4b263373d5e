using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>A registered webhook receives Qlik-style events signed with HMAC-SHA256 of the body (Qlik-Signature).</summary>
public sealed class WebhookTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private sealed record Received(string Body, string? Signature);

    [Fact]
    public async Task Created_app_is_delivered_with_a_valid_signature()
    {
        var received = new List<Received>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (received) received.Add(new Received(body, ctx.Request.Headers["Qlik-Signature"].FirstOrDefault()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var url = receiver.Urls.First() + "/hook";

        const string secret = "s3cr3t-for-test";
        var create = await sim.Admin.PostAsync("/api/v1/webhooks", SimulatorFixture.Json(new JsonObject
        {
            ["name"] = "test hook", ["url"] = url, ["enabled"] = true, ["secret"] = secret,
            ["eventTypes"] = new JsonArray("com.qlik.v1.app.created"),
        }));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Null((await SimulatorFixture.ReadJson(create))["secret"]); // write-only

        var spaceId = sim.Host.Tenant.Read(s => s.Spaces.First(x => x.Type == "shared").Id);
        var app = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync("/api/v1/apps",
            SimulatorFixture.Json(new JsonObject { ["attributes"] = new JsonObject { ["name"] = "Webhook test app", ["spaceId"] = spaceId } })));
        var appId = app["attributes"]!["id"]!.GetValue<string>();
        await sim.Host.FlushWebhooksAsync();

        var delivery = Assert.Single(received);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(delivery.Body)));
        Assert.Equal(expected, delivery.Signature);
        var evt = JsonNode.Parse(delivery.Body)!;
        Assert.Equal("com.qlik.v1.app.created", evt["eventType"]!.GetValue<string>());
        Assert.Equal(appId, evt["extensions"]!["topLevelResourceId"]!.GetValue<string>());
        Assert.Equal(sim.Host.AdminUserId, evt["extensions"]!["userId"]!.GetValue<string>());
        Assert.Equal(spaceId, evt["extensions"]!["spaceId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(evt["eventId"]?.GetValue<string>()));
        Assert.Contains(sim.Host.Tenant.WebhookDeliveries, d => d.EventType == "com.qlik.v1.app.created" && d.StatusCode == 200);
    }
}
