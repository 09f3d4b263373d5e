using System.Reflection;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>Every setting the app reads is set by the Bicep, or excepted with a reason.</summary>
[Collection(TemplateCollection.Name)]
public sealed class AppSettingsCoverageTests(CompiledTemplate template)
{
    /// <summary>The assemblies whose options and triggers define what the deployed app reads.</summary>
    private static readonly string[] AppAssemblies = ["QlikBackup.Core", "QlikBackup.Qlik", "QlikBackup.Functions"];

    internal static IReadOnlyDictionary<string, string> Exceptions()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Infra, "settings-exceptions.json")))!;
        return json["exceptions"]!.AsObject()
            .ToDictionary(p => p.Key, p => CompiledTemplate.AsText(p.Value), StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<SettingRequirement> RequirementsOfTheApp()
    {
        var fromAssemblies = AppAssemblies
            .Select(name => Assembly.Load(new AssemblyName(name)))
            .SelectMany(SettingRequirements.FromAssembly);
        var fromHostJson = SettingRequirements
            .BindingExpressionNames(File.ReadAllText(Repo.PathOf("host.json")))
            .Select(name => new SettingRequirement(name, "host.json"));
        return fromAssemblies.Concat(fromHostJson);
    }

    [Fact]
    public void Every_setting_the_app_reads_is_set_in_the_function_app()
    {
        var unmet = SettingRequirements.Unmet(
            RequirementsOfTheApp(), template.AppSettings.Keys.ToList(), Exceptions().Keys.ToList()).ToList();

        Assert.True(unmet.Count == 0,
            "Settings the app reads but infra/modules/functionApp.bicep does not set (set them, or list them with a reason in infra/settings-exceptions.json):\n  "
            + string.Join("\n  ", unmet));
    }

    [Fact]
    public void The_scan_finds_settings_the_app_is_known_to_read()
    {
        // Guards the coverage test against passing by scanning nothing.
        var keys = RequirementsOfTheApp().Select(r => r.Key).ToList();

        Assert.Contains("Qlik__TenantUrl", keys);
        Assert.Contains("Qlik__ApiKey", keys);
        Assert.Contains("DurableTaskHubName", keys);
        Assert.Contains("VerifySchedule", keys);
        Assert.All(AppAssemblies, name => Assert.NotEmpty(Assembly.Load(new AssemblyName(name)).GetTypes()));
    }

    [Fact]
    public void The_host_json_task_hub_setting_is_seen_and_set()
    {
        var hostJson = SettingRequirements.BindingExpressionNames(File.ReadAllText(Repo.PathOf("host.json"))).ToList();

        Assert.Contains("DurableTaskHubName", hostJson);
        Assert.Contains("DurableTaskHubName", template.AppSettings.Keys);
    }

    [Fact]
    public void Every_exception_has_a_reason_and_is_not_also_set()
    {
        var exceptions = Exceptions();

        Assert.All(exceptions, e => Assert.True(e.Value.Trim().Length >= 20, $"exception {e.Key} needs a real reason"));
        Assert.DoesNotContain(exceptions.Keys, template.AppSettings.ContainsKey);
    }

    [Fact]
    public void No_setting_is_set_twice()
    {
        var names = template.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .Select(s => (string)s!["name"]!);

        Assert.Empty(names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }
}
