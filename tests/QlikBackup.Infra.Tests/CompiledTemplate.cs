using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>infra/main.bicep compiled once per test run with `bicep build --stdout`.</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    internal BicepResult Build { get; private set; } = null!;

    public JsonObject Root { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync("build", "--stdout", Repo.MainBicep);
        Root = Build.ExitCode == 0
            ? JsonNode.Parse(Build.StdOut)!.AsObject()
            : throw new InvalidOperationException($"bicep build failed ({Build.ExitCode}):\n{Build.StdErr}");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The compiled template of a module of main.bicep, by the module's symbolic name.</summary>
    public JsonObject Module(string symbolicName) =>
        Root["resources"]![symbolicName]?["properties"]?["template"]?.AsObject()
        ?? throw new KeyNotFoundException($"main.bicep has no module '{symbolicName}'");

    /// <summary>A module's resources by symbolic name (Bicep compiles to languageVersion 2.0: resources are an object).</summary>
    public IReadOnlyDictionary<string, JsonObject> ModuleResources(string symbolicName) =>
        Module(symbolicName)["resources"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsObject());

    /// <summary>The value main.bicep passes to a module parameter.</summary>
    public string ModuleArgument(string module, string parameter) =>
        AsText(Root["resources"]![module]!["properties"]!["parameters"]![parameter]?["value"]);

    /// <summary>JSON text with ARM expressions as written (no \u0027 escapes for quotes).</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Unescaped);

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every resource of a type, in main.bicep and all of its modules.</summary>
    public IReadOnlyList<JsonObject> Resources(string type) =>
        Descendants(Root)
            .Where(o => o["apiVersion"] is not null && (string?)o["type"] == type && o["existing"] is null)
            .ToList();

    public JsonObject Single(string type)
    {
        var found = Resources(type);
        Assert.True(found.Count == 1, $"expected exactly one {type}, found {found.Count}");
        return found[0];
    }

    /// <summary>The Function app's app settings: name → value (a literal or an ARM expression).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .Select(s => s!.AsObject())
            .ToDictionary(s => (string)s["name"]!, s => AsText(s["value"]), StringComparer.OrdinalIgnoreCase);

    internal static string AsText(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";

    private static IEnumerable<JsonObject> Descendants(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var child in obj.SelectMany(p => Descendants(p.Value))) yield return child;
                break;
            case JsonArray array:
                foreach (var child in array.SelectMany(Descendants)) yield return child;
                break;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TemplateCollection : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "compiled template";
}
