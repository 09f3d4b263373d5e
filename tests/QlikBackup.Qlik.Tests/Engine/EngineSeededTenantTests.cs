using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>The generated demo tenant, read through the Engine as a backup would: every object of every app, private ones by impersonation.</summary>
public sealed class EngineSeededTenantTests
{
    [Fact]
    public async Task Every_object_of_the_demo_tenant_is_listed_and_readable_by_admin_or_its_owner()
    {
        await using var h = await EngineHarness.StartAsync(new SimulatorOptions { Seed = DemoTenantSpec.Demo });
        // Owners of private objects who may open the app (an owner without access to the space cannot open it in Qlik either).
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).Select(a => (a.Id, Owners: a.Document.Objects.Values
            .Where(o => !o.Published && o.OwnerId is { } owner && owner != h.AdminId).Select(o => o.OwnerId!).Distinct()
            .Where(owner => Access.CanSeeApp(s, new SimulatedActor(owner), a)).ToList())).ToList());
        Assert.NotEmpty(apps);
        var privateSeen = 0;

        foreach (var (appId, owners) in apps)
        {
            foreach (var user in owners.Prepend(null))
            {
                await using var session = await h.OpenAsync(user, appId);
                var listed = await session.ListObjectsAsync();
                var expected = h.Tenant.Read(s => s.FindApp(appId)!.Document.AllInfos(user ?? h.AdminId).Select(i => i.QId).Order().ToList());
                Assert.Equal(expected, listed.Select(o => o.QId).Order());
                foreach (var o in listed)
                {
                    var props = await session.GetPropertiesAsync(o.Class, o.QId);
                    var info = o.Class == EngineObjectClass.GenericObject ? props.GetProperty("qProperty").GetProperty("qInfo") : props.GetProperty("qInfo");
                    Assert.Equal(o.QId, info.GetProperty("qId").GetString());
                }
                if (user is not null) privateSeen += listed.Count(o => o.OwnerId == user && !o.Published);
            }
        }
        Assert.True(privateSeen > 0, "the demo tenant has private objects, reached only by impersonating their owners");
    }
}
