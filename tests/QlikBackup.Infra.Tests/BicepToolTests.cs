using System.Text.RegularExpressions;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>`bicep build` on infra/main.bicep is clean (no error, warning or info), and bicep stays offline.</summary>
[Collection(TemplateCollection.Name)]
public sealed partial class BicepToolTests(CompiledTemplate template)
{
    [Fact]
    public void Build_succeeds_without_any_diagnostic()
    {
        Assert.Equal(0, template.Build.ExitCode);
        Assert.True(template.Build.Diagnostics.Count == 0,
            "bicep build reported:\n" + string.Join('\n', template.Build.Diagnostics));
    }

    [Fact]
    public void Every_bicep_file_is_reached_from_main_so_lint_covers_it()
    {
        var files = Directory.EnumerateFiles(Repo.Infra, "*.bicep", SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .ToHashSet();
        var reached = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(Repo.MainBicep)]);
        while (pending.TryPop(out var file))
        {
            if (!reached.Add(file)) continue;
            foreach (Match reference in BicepFileReference().Matches(File.ReadAllText(file)))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, reference.Groups["path"].Value)));
        }

        Assert.Empty(files.Except(reached).Select(f => Path.GetRelativePath(Repo.Root, f)));
    }

    [Fact]
    public void No_bicep_file_needs_a_registry()
    {
        // Registry modules (br:, br/public:) and template specs (ts:) would make bicep reach the network.
        var offenders = Directory.EnumerateFiles(Repo.Infra, "*.bicep", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => RegistryReference().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repo.Root, x.f)}:{x.i + 1}: {x.line.Trim()}");

        Assert.Empty(offenders);
    }

    [GeneratedRegexAttribute(@"(?:module\s+\w+|from)\s+'(?<path>[^':]+\.bicep)'")]
    private static partial Regex BicepFileReference();

    [GeneratedRegexAttribute(@"'(?:br|br/[\w.-]+|ts|ts/[\w.-]+):")]
    private static partial Regex RegistryReference();
}

/// <summary>`bicep lint` on infra/main.bicep is clean. Outside the template collection, so it runs beside the build.</summary>
public sealed class BicepLintTests
{
    [Fact]
    public async Task Lint_reports_nothing()
    {
        var lint = await BicepCli.RunAsync("lint", Repo.MainBicep);

        Assert.True(lint.ExitCode == 0 && lint.Diagnostics.Count == 0,
            $"bicep lint exited {lint.ExitCode} and reported:\n" + string.Join('\n', lint.Diagnostics));
    }

    [Fact]
    public async Task Lint_fails_this_suite_on_a_linter_warning()
    {
        // Proves the lint check above can fail: under infra/bicepconfig.json an unused parameter is a
        // linter warning (no-unused-params), and it must come back as a diagnostic line.
        var dir = Directory.CreateTempSubdirectory("bicep-lint-probe-").FullName;
        try
        {
            File.Copy(Path.Combine(Repo.Infra, "bicepconfig.json"), Path.Combine(dir, "bicepconfig.json"));
            var probe = Path.Combine(dir, "probe.bicep");
            await File.WriteAllTextAsync(probe, "param unused string\n");

            var lint = await BicepCli.RunAsync("lint", probe);

            var diagnostic = Assert.Single(lint.Diagnostics);
            Assert.Matches(BicepCli.DiagnosticLine(), diagnostic);
            Assert.Contains("Warning no-unused-params", diagnostic);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
