using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace QlikBackup.Infra.Tests;

/// <summary>azure.yaml and infra/main.parameters.json agree with the repo and with main.bicep.</summary>
[Collection(TemplateCollection.Name)]
public sealed partial class AzdConfigurationTests(CompiledTemplate template)
{
    private static YamlMappingNode AzureYaml()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Repo.PathOf("azure.yaml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value ?? "" : "";

    private static JsonObject ParameterFile() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Infra, "main.parameters.json")))!["parameters"]!.AsObject();

    [Fact]
    public void Azure_yaml_deploys_the_functions_project_as_a_function_app()
    {
        var yaml = AzureYaml();
        Assert.Equal("qlikbackup", Scalar(yaml, "name"));

        var services = (YamlMappingNode)yaml.Children[new YamlScalarNode("services")];
        var (name, node) = Assert.Single(services.Children);
        var api = (YamlMappingNode)node;
        Assert.Equal("api", ((YamlScalarNode)name).Value);
        Assert.Equal("function", Scalar(api, "host"));
        Assert.Equal("dotnet", Scalar(api, "language"));

        var project = Path.GetFullPath(Path.Combine(Repo.Root, Scalar(api, "project")));
        Assert.Equal(Repo.PathOf("src", "QlikBackup.Functions"), project.TrimEnd('/'));
        Assert.True(File.Exists(Path.Combine(project, "QlikBackup.Functions.csproj")));
    }

    [Fact]
    public void The_function_app_carries_the_azd_service_tag_of_the_azure_yaml_service()
    {
        var services = (YamlMappingNode)AzureYaml().Children[new YamlScalarNode("services")];
        var service = ((YamlScalarNode)services.Children.Single().Key).Value;

        var passed = template.Root["resources"]!["functionApp"]!["properties"]!["parameters"]!["serviceName"]!["value"];
        Assert.Equal(service, CompiledTemplate.AsText(passed));
        Assert.Equal("[union(parameters('tags'), createObject('azd-service-name', parameters('serviceName')))]",
            CompiledTemplate.AsText(template.Single("Microsoft.Web/sites")["tags"]));
    }

    [Fact]
    public void Parameter_file_names_only_template_parameters_and_every_required_one()
    {
        var declared = template.Root["parameters"]!.AsObject();
        var supplied = ParameterFile();

        Assert.DoesNotContain(supplied.Select(p => p.Key), k => !declared.ContainsKey(k));
        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.DoesNotContain(required, k => !supplied.ContainsKey(k));
    }

    [Fact]
    public void Parameter_file_defaults_equal_the_template_defaults()
    {
        // azd replaces ${VAR=default} with the default when VAR is unset; it must not drift from main.bicep.
        var declared = template.Root["parameters"]!.AsObject();
        var mismatches = ParameterFile()
            .Select(p => (p.Key, Match: EnvWithDefault().Match(CompiledTemplate.AsText(p.Value!["value"]))))
            .Where(p => p.Match.Success)
            .Select(p => (p.Key, FileDefault: p.Match.Groups["default"].Value,
                TemplateDefault: CompiledTemplate.AsText(declared[p.Key]!["defaultValue"])))
            .Where(p => p.FileDefault != p.TemplateDefault)
            .Select(p => $"{p.Key}: main.parameters.json '{p.FileDefault}' vs main.bicep '{p.TemplateDefault}'");

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Parameter_file_reads_the_azd_environment()
    {
        var values = ParameterFile().ToDictionary(p => p.Key, p => CompiledTemplate.AsText(p.Value!["value"]));

        Assert.Equal("${AZURE_ENV_NAME}", values["environmentName"]);
        Assert.Equal("${AZURE_LOCATION}", values["location"]);
        Assert.Equal("${QLIK_TENANT_URL}", values["qlikTenantUrl"]);
        // The webhook secret survives re-provisioning: azd reads it back from the vault, else generates one.
        Assert.Equal("$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} qlik-webhook-secret)", values["webhookSecret"]);
        Assert.All(values.Where(v => v.Key != "webhookSecret"), v => Assert.Matches(@"^\$\{[A-Z0-9_]+(=[^}]*)?\}$", v.Value));
    }

    [Fact]
    public void Outputs_give_azd_the_endpoint_and_resource_names()
    {
        var outputs = template.Root["outputs"]!.AsObject();

        foreach (var name in new[] { "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_NAME",
                     "AZURE_FUNCTION_URL", "SERVICE_API_NAME", "AZURE_KEY_VAULT_NAME", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_LOGIC_APP_NAME" })
            Assert.True(outputs.ContainsKey(name), $"output {name} missing");
        Assert.DoesNotContain(outputs, o => o.Value!["type"]!.ToString().StartsWith("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Immutability_never_outlasts_the_shortest_keep_all_window()
    {
        // Pruning deletes points once they leave a tier's keep-all window; a longer WORM period would block it.
        var parameters = template.Root["parameters"]!.AsObject();
        var keepAll = parameters.Where(p => KeepAllDays().IsMatch(p.Key)).Select(p => (int)p.Value!["defaultValue"]!).ToList();

        Assert.Equal(3, keepAll.Count);
        Assert.True((int)parameters["immutabilityDays"]!["defaultValue"]! <= keepAll.Min());
    }

    [GeneratedRegex(@"^\$\{[A-Z0-9_]+=(?<default>[^}]*)\}$")]
    private static partial Regex EnvWithDefault();

    [GeneratedRegex(@"^retentionT\dKeepAllDays$")]
    private static partial Regex KeepAllDays();
}
