using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>Bad input answers with Qlik's status codes and {"errors":[...]} bodies, never a stack trace.</summary>
public sealed class ErrorShapeTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Unknown_app_is_404()
    {
        var error = await QlikAssert.ErrorAsync(await sim.Admin.GetAsync("/api/v1/apps/00000000-0000-0000-0000-000000000000"), HttpStatusCode.NotFound);
        Assert.Contains("00000000-0000-0000-0000-000000000000", error["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_route_is_404_in_Qlik_shape()
        => await QlikAssert.ErrorAsync(await sim.Admin.GetAsync("/api/v1/no-such-thing"), HttpStatusCode.NotFound);

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var response = await sim.Admin.PostAsync("/api/v1/spaces", new StringContent("{\"name\": \"x\", ", Encoding.UTF8, "application/json"));
        var error = await QlikAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Malformed JSON", error["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_parameters_are_400()
    {
        await QlikAssert.ErrorAsync(await sim.Admin.GetAsync("/api/v1/spaces?limit=1000"), HttpStatusCode.BadRequest);
        await QlikAssert.ErrorAsync(await sim.Admin.GetAsync("/api/v1/items?next=not-a-cursor"), HttpStatusCode.BadRequest);
        await QlikAssert.ErrorAsync(await sim.Admin.PostAsync("/api/v1/spaces", SimulatorFixture.Json(new JsonObject { ["name"] = "x", ["type"] = "weird" })), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Missing_or_invalid_auth_is_401()
    {
        using var anonymous = sim.ClientFor(null);
        await QlikAssert.ErrorAsync(await anonymous.GetAsync("/api/v1/spaces"), HttpStatusCode.Unauthorized);
        using var wrong = sim.ClientFor("not-a-key");
        await QlikAssert.ErrorAsync(await wrong.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Duplicate_space_name_is_409_and_non_empty_space_delete_is_412()
    {
        var spaces = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync("/api/v1/spaces?type=shared"));
        var existing = spaces["data"]![0]!;
        var create = SimulatorFixture.Json(new JsonObject { ["name"] = existing["name"]!.GetValue<string>().ToUpperInvariant(), ["type"] = "shared" });
        await QlikAssert.ErrorAsync(await sim.Admin.PostAsync("/api/v1/spaces", create), HttpStatusCode.Conflict);
        await QlikAssert.ErrorAsync(await sim.Admin.DeleteAsync($"/api/v1/spaces/{existing["id"]}"), HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Non_admin_cannot_read_audits()
    {
        var userId = sim.Host.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin).Id);
        using var user = sim.ClientFor(await sim.ImpersonateAsync(userId));
        await QlikAssert.ErrorAsync(await user.GetAsync("/api/v1/audits"), HttpStatusCode.Forbidden);
    }
}
