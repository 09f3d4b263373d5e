using System.Reflection;

namespace QlikBackup.Infra.Tests;

/// <summary>Paths baked in at build time, so the tests run the same from any working directory.</summary>
internal static class Repo
{
    public static string Root { get; } = Metadata("RepoRoot");

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 package.</summary>
    public static string BicepExecutable { get; } = FindBicep();

    private static string FindBicep()
    {
        var raw = Metadata("BicepPath");
        if (raw.Length == 0)
            throw new InvalidOperationException(
                "BicepPath is empty: the Azure.Bicep.CommandLine.linux-x64 package's build props were not imported.");
        // The package writes the path with Windows separators.
        var path = Path.GetFullPath(raw.Replace('\\', '/'));
        if (!File.Exists(path))
            throw new FileNotFoundException("bicep CLI not found where its NuGet package put it", path);
        return path;
    }

    private static string Metadata(string key) =>
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' missing; see the test .csproj.");
}
