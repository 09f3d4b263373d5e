using System.Diagnostics;

namespace QlikBackup.LocalHost.Demo;

/// <summary>
/// An Azurite left running on a persistent data folder by a host that was killed (kill -9 gives it no chance to stop
/// its child). Found by its command line, which names exactly that folder, so no other Azurite is ever touched.
/// </summary>
public static class StaleAzurite
{
    /// <summary>Ids of the Azurite processes serving <paramref name="azuriteFolder"/> (Linux /proc; none elsewhere).</summary>
    public static IReadOnlyList<int> Find(string azuriteFolder)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return [];
        }

        string location = Path.GetFullPath(azuriteFolder).TrimEnd('/');
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string[] args;
            try
            {
                args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            int at = Array.IndexOf(args, "--location");
            if (args.Any(a => a.EndsWith("azurite.js", StringComparison.Ordinal)) && at >= 0 && at + 1 < args.Length
                && args[at + 1].TrimEnd('/') == location)
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>Stops every Azurite still serving <paramref name="azuriteFolder"/>; returns how many.</summary>
    public static int Stop(string azuriteFolder)
    {
        int stopped = 0;
        foreach (int pid in Find(azuriteFolder))
        {
            try
            {
                using Process process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
                stopped++;
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        return stopped;
    }
}
