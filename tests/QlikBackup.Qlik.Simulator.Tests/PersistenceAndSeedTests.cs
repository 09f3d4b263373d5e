using System.Net;
using System.Text.Json;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

public sealed class PersistenceAndSeedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "qlik-sim-test-" + Guid.NewGuid().ToString("N"));

    private static string Snapshot(SimulatedTenant t) => t.Read(s => JsonSerializer.Serialize(s)
        + string.Concat(s.Apps.Select(a => Convert.ToBase64String(SHA(a.Document.DataPayload))))
        + string.Concat(s.Themes.Select(x => Convert.ToBase64String(SHA(x.Zip)))));

    private static byte[] SHA(byte[] b) => System.Security.Cryptography.SHA256.HashData(b);

    [Fact]
    public void Seeding_is_deterministic_and_presets_have_the_promised_size()
    {
        var a = new SimulatedTenant();
        var b = new SimulatedTenant();
        DemoTenantSeeder.Seed(a, DemoTenantSpec.Demo);
        DemoTenantSeeder.Seed(b, DemoTenantSpec.Demo);
        Assert.Equal(Snapshot(a), Snapshot(b));
        var other = new SimulatedTenant();
        DemoTenantSeeder.Seed(other, DemoTenantSpec.Demo with { Seed = 7 });
        Assert.NotEqual(Snapshot(a), Snapshot(other));

        a.Read(s =>
        {
            Assert.Equal(3, s.Spaces.Count);
            Assert.Equal(6, s.Apps.Count(x => x.SpaceId is not null));
            Assert.Contains(s.Apps, x => x.SpaceId is null);
            Assert.Contains(s.Apps, x => x.Published && x.OriginAppId is not null);
            var privateOwners = s.Apps.SelectMany(x => x.Document.Objects.Values).Where(o => !o.Published).Select(o => o.OwnerId).Distinct().Count();
            Assert.True(privateOwners >= 2);
            Assert.Contains(s.Resource(ResourceKinds.ReloadTasks), t => t["recurrence"]![0]!.GetValue<string>().StartsWith("RRULE:", StringComparison.Ordinal));
            return 0;
        });
        var large = new SimulatedTenant();
        DemoTenantSeeder.Seed(large, DemoTenantSpec.Large with { QvfDataBytes = 16 });
        large.Read(s => { Assert.True(s.Spaces.Count >= 5); Assert.True(s.Apps.Count >= 50); return 0; });
    }

    [Fact]
    public async Task Tenant_saved_on_stop_is_loaded_on_start_with_the_same_state_and_admin_key()
    {
        string before, adminKey;
        await using (var first = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = DemoTenantSpec.Demo, StateFolder = _folder }))
        {
            adminKey = first.AdminApiKey;
            before = Snapshot(first.Tenant);
        }
        Assert.True(File.Exists(Path.Combine(_folder, "tenant.json")));
        await using var second = await QlikSimulatorHost.StartAsync(new SimulatorOptions { StateFolder = _folder });
        Assert.Equal(adminKey, second.AdminApiKey);
        Assert.Equal(before, Snapshot(second.Tenant));
        using var client = new HttpClient { BaseAddress = second.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users/me")).StatusCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
