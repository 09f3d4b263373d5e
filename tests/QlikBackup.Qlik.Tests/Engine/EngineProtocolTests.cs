using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Qlik.Auth;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;
using QlikBackup.Qlik.Simulator.Model;
using Xunit;
using static QlikBackup.Qlik.Tests.Engine.EngineHarness;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>What the simulated Engine puts on the wire: the protocol as QIX defines it, independent of our client.</summary>
public sealed class EngineProtocolTests
{
    [Fact]
    public async Task Upgrade_without_or_with_a_bad_bearer_answers_401()
    {
        await using var h = await StartAsync();

        Assert.Equal(401, await RawQixSocket.RefusedUpgradeStatusAsync(h.Client.Simulator.BaseUrl, h.AppId, bearer: null));
        Assert.Equal(401, await RawQixSocket.RefusedUpgradeStatusAsync(h.Client.Simulator.BaseUrl, h.AppId, bearer: "not-a-token"));

        // The refusal carries Qlik's error body.
        using var http = new HttpClient { BaseAddress = h.Client.Simulator.BaseUrl };
        using var response = await http.GetAsync($"app/{h.AppId}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("HTTP-401", body["errors"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_maps_a_refused_upgrade_to_a_typed_401_error()
    {
        await using var h = await StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IQlikAccessTokenProvider>(new FixedToken("not-a-token"));
        services.Configure<QlikOptions>(o => o.TenantUrl = h.Client.Simulator.BaseUrl);
        services.AddQlikEngine();
        await using var provider = services.BuildServiceProvider();

        var e = await Assert.ThrowsAsync<QlikEngineException>(() => provider.GetRequiredService<IQlikEngine>().OpenAppAsync(h.AppId));

        Assert.Equal(401, e.Code);
        Assert.Equal("connect", e.Method);
    }

    [Fact]
    public async Task A_revoked_token_is_renewed_once_when_the_upgrade_answers_401()
    {
        await using var h = await StartAsync();
        await (await h.OpenAsync()).DisposeAsync();
        h.Tenant.Write(SimulatedActor.System, c => c.State.AccessTokens.Clear());

        await using var session = await h.OpenAsync();

        Assert.NotEmpty(await session.ListObjectsAsync());
        Assert.Equal(2, h.Client.Log.Matching("POST", "/oauth/token").Count());
    }

    private sealed class FixedToken(string token) : IQlikAccessTokenProvider
    {
        public bool CanImpersonate => false;
        public ValueTask<string> GetTokenAsync(string? impersonateUserId = null, CancellationToken ct = default) => ValueTask.FromResult(token);
        public void Invalidate(string? impersonateUserId = null) { }
    }

    [Fact]
    public async Task First_frame_is_OnConnected_then_OpenDoc_returns_the_doc_handle()
    {
        await using var h = await StartAsync();
        await using var socket = await RawQixSocket.ConnectAsync(h.Client.Simulator.BaseUrl, h.AppId, h.Client.Simulator.AdminApiKey);

        var connected = await socket.ReceiveAsync();
        Assert.Equal("OnConnected", connected["method"]!.GetValue<string>());
        Assert.Equal("SESSION_CREATED", connected["params"]!["qSessionState"]!.GetValue<string>());

        var open = await socket.CallAsync(-1, "OpenDoc", new JsonObject { ["qDocName"] = h.AppId, ["qNoData"] = true });
        Assert.Equal("2.0", open["jsonrpc"]!.GetValue<string>());
        var qReturn = open["result"]!["qReturn"]!;
        Assert.Equal(("Doc", 1, h.AppId), (qReturn["qType"]!.GetValue<string>(), qReturn["qHandle"]!.GetValue<int>(), qReturn["qGenericId"]!.GetValue<string>()));

        // Positional params work as well as named ones; one object keeps one handle on the socket.
        var first = await socket.CallAsync(1, "GetObject", new JsonArray(Sheet));
        var second = await socket.CallAsync(1, "GetObject", new JsonObject { ["qId"] = Sheet });
        Assert.Equal("GenericObject", first["result"]!["qReturn"]!["qType"]!.GetValue<string>());
        Assert.Equal("sheet", first["result"]!["qReturn"]!["qGenericType"]!.GetValue<string>());
        Assert.Equal(first["result"]!["qReturn"]!["qHandle"]!.GetValue<int>(), second["result"]!["qReturn"]!["qHandle"]!.GetValue<int>());

        var infos = await socket.CallAsync(1, "GetAllInfos");
        Assert.Contains(infos["result"]!["qInfos"]!.AsArray(), i => i!["qId"]!.GetValue<string>() == Chart && i["qType"]!.GetValue<string>() == "barchart");
    }

    [Fact]
    public async Task Protocol_errors_use_JSON_RPC_codes_and_engine_errors_use_NxLocalizedErrorCode()
    {
        await using var h = await StartAsync();
        await using var socket = await RawQixSocket.ConnectAsync(h.Client.Simulator.BaseUrl, h.AppId, h.Client.Simulator.AdminApiKey);
        await socket.ReceiveAsync();

        // Before OpenDoc there is no handle 1.
        Assert.Equal(-32602, ErrorCode(await socket.CallAsync(1, "GetAllInfos")));
        await socket.CallAsync(-1, "OpenDoc", new JsonObject { ["qDocName"] = h.AppId });
        Assert.Equal(-32601, ErrorCode(await socket.CallAsync(1, "NoSuchMethod")));
        Assert.Equal(-32602, ErrorCode(await socket.CallAsync(1, "GetObject", new JsonObject())));
        Assert.Equal(1002, ErrorCode(await socket.CallAsync(-1, "OpenDoc", new JsonObject { ["qDocName"] = h.AppId })));

        var missing = await socket.CallAsync(1, "GetMeasure", new JsonObject { ["qId"] = "nope" });
        Assert.Equal(new JsonObject { ["code"] = 2, ["parameter"] = "nope", ["message"] = "Resource not found" }.ToJsonString(), missing["error"]!.ToJsonString());

        await socket.SendTextAsync("{ not json");
        var parse = await socket.ReceiveAsync();
        Assert.Equal(-32700, ErrorCode(parse));
        Assert.Null(parse["id"]);
    }

    [Fact]
    public async Task Destroy_answers_close_for_the_handles_of_the_object_and_its_children()
    {
        await using var h = await StartAsync();
        await using var socket = await RawQixSocket.ConnectAsync(h.Client.Simulator.BaseUrl, h.AppId, h.Client.Simulator.AdminApiKey);
        await socket.ReceiveAsync();
        await socket.CallAsync(-1, "OpenDoc", new JsonObject { ["qDocName"] = h.AppId });
        var sheetHandle = (await socket.CallAsync(1, "GetObject", new JsonObject { ["qId"] = Sheet }))["result"]!["qReturn"]!["qHandle"]!.GetValue<int>();
        var chartHandle = (await socket.CallAsync(1, "GetObject", new JsonObject { ["qId"] = Chart }))["result"]!["qReturn"]!["qHandle"]!.GetValue<int>();

        var set = await socket.CallAsync(chartHandle, "SetProperties", new JsonObject
        {
            ["qProp"] = new JsonObject { ["qInfo"] = new JsonObject { ["qId"] = Chart, ["qType"] = "barchart" }, ["title"] = "x" },
        });
        Assert.Contains(set["change"]!.AsArray(), x => x!.GetValue<int>() == chartHandle);

        var destroyed = await socket.CallAsync(1, "DestroyObject", new JsonObject { ["qId"] = Sheet });

        Assert.True(destroyed["result"]!["qSuccess"]!.GetValue<bool>());
        Assert.Equal([sheetHandle, chartHandle], destroyed["close"]!.AsArray().Select(x => x!.GetValue<int>()).Order());
        Assert.Equal(-32602, ErrorCode(await socket.CallAsync(sheetHandle, "GetLayout")));
    }

    [Fact]
    public async Task Non_WebSocket_request_with_auth_is_a_400_in_Qlik_shape()
    {
        await using var h = await StartAsync();
        using var http = new HttpClient { BaseAddress = h.Client.Simulator.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", h.Client.Simulator.AdminApiKey);

        using var response = await http.GetAsync($"app/{h.AppId}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("HTTP-400", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["code"]!.GetValue<string>());
    }

    private static int ErrorCode(JsonObject response) => response["error"]!["code"]!.GetValue<int>();
}
