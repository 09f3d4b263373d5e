using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.LocalHost.Tests;

/// <summary>serve --data: a local environment stopped and started again on its folder keeps its points, keys and tiers.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ServeDataTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "qlikbackup-serve-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static HttpClient Client(LocalEnvironment env, string? key)
    {
        var http = new HttpClient { BaseAddress = env.Host.ApiBaseUrl, Timeout = TimeSpan.FromMinutes(3) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return http;
    }

    [Fact]
    public async Task A_restart_on_the_same_data_folder_keeps_points_key_and_tiers()
    {
        var spec = DemoTenantSpec.Demo with { AppsPerSpace = 1, PersonalApps = 0 };
        string pointId;
        string tiersBefore;
        string key;
        await using (LocalEnvironment first = await LocalEnvironment.StartPersistentAsync(spec, folder, null, CancellationToken.None))
        {
            await ServeCommand.AssignTiersAsync(first.Host.Services, CancellationToken.None);
            key = LocalSecrets.LoadOrCreate(folder).ApiKey!;
            using HttpClient anonymous = Client(first, null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/status")).StatusCode);

            using HttpClient api = Client(first, key);
            tiersBefore = await api.GetStringAsync("api/spaces/tiers");
            Assert.Contains("\"T1\"", tiersBefore);
            using HttpResponseMessage start = await api.PostAsJsonAsync("api/backups", new { tier = "T1" });
            string id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            JsonElement op;
            do
            {
                await Task.Delay(250);
                op = await api.GetFromJsonAsync<JsonElement>($"api/operations/{id}");
            }
            while (op.GetProperty("status").GetString() is "Pending" or "Running");
            Assert.Equal("Completed", op.GetProperty("status").GetString());
            pointId = (await api.GetFromJsonAsync<JsonElement>("api/recovery-points?kind=App")).EnumerateArray()
                .First(p => p.GetProperty("status").GetString() == "Captured").GetProperty("pointId").GetString()!;
        }

        await using LocalEnvironment second = await LocalEnvironment.StartPersistentAsync(spec, folder, null, CancellationToken.None);
        await ServeCommand.AssignTiersAsync(second.Host.Services, CancellationToken.None);
        Assert.Equal(key, LocalSecrets.LoadOrCreate(folder).ApiKey);
        using HttpClient again = Client(second, key);

        Assert.Equal(tiersBefore, await again.GetStringAsync("api/spaces/tiers"));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"api/recovery-points/{pointId}")).StatusCode);
        // A dry run plans from the stored point, read with the data key kept in the folder.
        using HttpResponseMessage plan = await again.PostAsJsonAsync("api/restores", new { scope = "App", pointId, dryRun = true });
        Assert.True(plan.StatusCode == HttpStatusCode.OK, await plan.Content.ReadAsStringAsync());
    }
}
