using System.Diagnostics;
using System.Text.RegularExpressions;

namespace QlikBackup.Infra.Tests;

internal sealed record BicepResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Every diagnostic bicep printed (errors, warnings, infos), plus any other stderr line.</summary>
    public IReadOnlyList<string> Diagnostics { get; } =
        StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the bicep CLI offline.</summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task<BicepResult> RunAsync(params string[] args)
    {
        EnsureExecutable(Repo.BicepExecutable);
        var start = new ProcessStartInfo(Repo.BicepExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Infra,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish within {Timeout}");
        }
        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>NuGet does not promise to keep the executable bit of package files.</summary>
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
    }

    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): ")]
    public static partial Regex DiagnosticLine();
}
