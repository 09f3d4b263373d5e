using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>QVF export/import through temp-contents, and Qlik's private-object rule.</summary>
public sealed class AppTransferTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private async Task<byte[]> ExportAsync(HttpClient client, string appId, bool noData = false)
    {
        var export = await client.PostAsync($"/api/v1/apps/{appId}/export{(noData ? "?NoData=true" : "")}", null);
        Assert.Equal(HttpStatusCode.Created, export.StatusCode);
        var location = export.Headers.Location!.ToString();
        Assert.StartsWith("/api/v1/temp-contents/", location);
        var download = await client.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        return await download.Content.ReadAsByteArrayAsync();
    }

    private async Task<JsonNode> ImportAsync(HttpClient client, byte[] qvf, string spaceId)
    {
        var content = new ByteArrayContent(qvf);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await client.PostAsync($"/api/v1/apps/import?spaceId={spaceId}", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SimulatorFixture.ReadJson(response);
    }

    private (SimApp App, string OtherSharedSpace) SharedAppWithPrivateObjects() => sim.Host.Tenant.Read(s =>
    {
        var app = s.Apps.First(a => a.SpaceId is not null && !a.Published && a.Document.Objects.Values.Any(o => !o.Published));
        return (app, s.Spaces.First(x => x.Type == SpaceTypes.Shared && x.Id != app.SpaceId).Id);
    });

    [Fact]
    public async Task Export_import_export_is_byte_identical_and_import_makes_a_new_app_owned_by_the_importer()
    {
        var (app, otherSpace) = SharedAppWithPrivateObjects();
        var first = await ExportAsync(sim.Admin, app.Id);
        var imported = await ImportAsync(sim.Admin, first, otherSpace);
        var newId = imported["attributes"]!["id"]!.GetValue<string>();
        Assert.NotEqual(app.Id, newId);
        Assert.Equal(otherSpace, imported["attributes"]!["spaceId"]!.GetValue<string>());
        Assert.Equal(app.Name, imported["attributes"]!["name"]!.GetValue<string>());

        var second = await ExportAsync(sim.Admin, newId);
        Assert.Equal(first, second);

        var (source, copy) = sim.Host.Tenant.Read(s => (s.FindApp(app.Id)!.Document.VisibleTo(sim.Host.AdminUserId).Select(o => o.Id).Order().ToList(),
            s.FindApp(newId)!.Document.Objects.Values.ToList()));
        Assert.Equal(source, copy.Select(o => o.Id).Order());          // qIds are kept
        Assert.All(copy.Where(o => o.ObjectClass != SimObjectClass.Variable), o => Assert.Equal(sim.Host.AdminUserId, o.OwnerId));
    }

    [Fact]
    public async Task NoData_export_omits_the_data_payload()
    {
        var (app, _) = SharedAppWithPrivateObjects();
        var full = await ExportAsync(sim.Admin, app.Id);
        var noData = await ExportAsync(sim.Admin, app.Id, noData: true);
        var payload = sim.Host.Tenant.Read(s => s.FindApp(app.Id)!.Document.DataPayload.Length);
        Assert.Equal(full.Length - payload - 12, noData.Length);
    }

    [Fact]
    public async Task Private_objects_of_other_users_are_excluded_from_an_admin_export_but_reach_their_owner()
    {
        var (app, otherSpace) = SharedAppWithPrivateObjects();
        var privateObjects = app.Document.Objects.Values.Where(o => !o.Published).ToList();
        var owner = privateObjects[0].OwnerId!;
        Assert.NotEqual(sim.Host.AdminUserId, owner);

        var adminImport = await ImportAsync(sim.Admin, await ExportAsync(sim.Admin, app.Id), otherSpace);
        var adminIds = sim.Host.Tenant.Read(s => s.FindApp(adminImport["attributes"]!["id"]!.GetValue<string>())!.Document.Objects.Keys.ToHashSet());
        Assert.All(privateObjects, o => Assert.DoesNotContain(o.Id, adminIds));

        // The owner (reached through OAuth impersonation, as a backup would) exports its own private objects too.
        using var asOwner = sim.ClientFor(await sim.ImpersonateAsync(owner));
        var ownerImport = await ImportAsync(sim.Admin, await ExportAsync(asOwner, app.Id), otherSpace);
        var ownerIds = sim.Host.Tenant.Read(s => s.FindApp(ownerImport["attributes"]!["id"]!.GetValue<string>())!.Document.Objects.Keys.ToHashSet());
        Assert.All(privateObjects.Where(o => o.OwnerId == owner), o => Assert.Contains(o.Id, ownerIds));
        Assert.All(privateObjects.Where(o => o.OwnerId != owner), o => Assert.DoesNotContain(o.Id, ownerIds));
    }

    [Fact]
    public async Task Import_rejects_a_file_that_is_not_a_QVF()
    {
        var (_, space) = SharedAppWithPrivateObjects();
        var content = new ByteArrayContent("PK\u0003\u0004 not a qvf"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await QlikAssert.ErrorAsync(await sim.Admin.PostAsync($"/api/v1/apps/import?spaceId={space}", content), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Range_download_answers_206_with_the_requested_slice()
    {
        var (app, _) = SharedAppWithPrivateObjects();
        var export = await sim.Admin.PostAsync($"/api/v1/apps/{app.Id}/export", null);
        var location = export.Headers.Location!.ToString();
        var full = await (await sim.Admin.GetAsync(location)).Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, location);
        request.Headers.Range = new RangeHeaderValue(100, null);
        var partial = await sim.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 100-{full.Length - 1}/{full.Length}", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(full[100..], await partial.Content.ReadAsByteArrayAsync());
    }
}
