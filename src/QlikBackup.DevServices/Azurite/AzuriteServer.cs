using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace QlikBackup.DevServices.Azurite;

/// <summary>
/// Runs the Azurite storage emulator (Blob, Queue, Table) from tools/azurite on free loopback ports.
/// Installs it from the committed lockfile on first use, so a fresh clone needs only Node.js and npm.
/// Set QLIKBACKUP_STORAGE_CONNECTION to use an emulator (or account) that is already running instead.
/// Azurite never outlives the process that started it: node runs a small wrapper that exits when its stdin (a pipe only
/// this process holds) closes, which the OS does when this process ends in any way, kill -9 included.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string ExternalConnectionVariable = "QLIKBACKUP_STORAGE_CONNECTION";

    // Azurite's published development account; it is not a secret.
    const string AccountName = "devstoreaccount1";
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>
    /// Run with <c>node -e</c>: process.argv[1] is Azurite's script, followed by its arguments, as Azurite expects. Exits as
    /// soon as stdin ends: the parent holds the other end of that pipe and never writes to it.
    /// </summary>
    const string ParentWatch =
        "for (const e of ['end', 'close', 'error']) process.stdin.on(e, () => process.exit(0)); process.stdin.resume(); require(process.argv[1]);";

    readonly Process? process;
    readonly string? workspace;

    AzuriteServer(string connectionString, Process? process, string? workspace)
    {
        ConnectionString = connectionString;
        this.process = process;
        this.workspace = workspace;
    }

    /// <summary>Node's process id (null when an external emulator is used).</summary>
    public int? ProcessId => process?.Id;

    /// <summary>What the OS does to the pipe when this process dies: for tests of the parent watch.</summary>
    public void ClosePipeAsIfParentDied() => process?.StandardInput.Close();

    /// <summary>An Azure Storage connection string for the three services.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts Azurite. <paramref name="persistDirectory"/> keeps data on disk across restarts; null keeps it in memory.</summary>
    public static async Task<AzuriteServer> StartAsync(string? persistDirectory = null, TextWriter? log = null, CancellationToken ct = default)
    {
        string? external = Environment.GetEnvironmentVariable(ExternalConnectionVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new AzuriteServer(external, null, null);
        }

        string toolDir = FindToolDirectory();
        await EnsureInstalledAsync(toolDir, log, ct);

        int blob = LoopbackPort.Free(), queue = LoopbackPort.Free(), table = LoopbackPort.Free();
        // In memory, Azurite still writes its debug/extent bookkeeping to the working directory: give it a throwaway one.
        string workspace = persistDirectory ?? Path.Combine(Path.GetTempPath(), "qlikbackup-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workspace);

        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "-e", ParentWatch,
            Path.Combine(toolDir, "node_modules", "azurite", "dist", "src", "azurite.js"),
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
        })
        {
            psi.ArgumentList.Add(arg);
        }

        // Azurite refuses --location together with --inMemoryPersistence.
        if (persistDirectory is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(workspace);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        string connection =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queue}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{table}/{AccountName};";
        var server = new AzuriteServer(connection, process, persistDirectory is null ? workspace : null);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (int port in new[] { blob, queue, table })
        {
            while (!await IsListeningAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    await server.DisposeAsync();
                    string err;
                    lock (stderr) { err = stderr.ToString(); }
                    throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{port}. {err}".Trim());
                }

                await Task.Delay(100, ct);
            }
        }

        log?.WriteLine($"Azurite listening: blob {blob}, queue {queue}, table {table}");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        if (workspace is not null)
        {
            try { Directory.Delete(workspace, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>tools/azurite of the checkout this code runs from (walks up from the binaries).</summary>
    public static string FindToolDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tools", "azurite");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tools/azurite/package-lock.json not found above " + AppContext.BaseDirectory);
    }

    static async Task EnsureInstalledAsync(string toolDir, TextWriter? log, CancellationToken ct)
    {
        string marker = Path.Combine(toolDir, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(marker))
        {
            return;
        }

        // Test assemblies start in parallel; one npm ci at a time, the others wait for it.
        string lockPath = Path.Combine(toolDir, ".install.lock");
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                using var gate = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                if (File.Exists(marker))
                {
                    return;
                }

                log?.WriteLine("Installing Azurite (npm ci in tools/azurite)...");
                var psi = new ProcessStartInfo("npm") { WorkingDirectory = toolDir, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string a in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
                {
                    psi.ArgumentList.Add(a);
                }

                using var npm = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm; install Node.js and npm.");
                Task<string> err = npm.StandardError.ReadToEndAsync(ct);
                _ = npm.StandardOutput.ReadToEndAsync(ct);
                await npm.WaitForExitAsync(ct);
                if (npm.ExitCode != 0 || !File.Exists(marker))
                {
                    throw new InvalidOperationException($"npm ci for Azurite failed ({npm.ExitCode}): {await err}");
                }

                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct);
            }
        }
    }


    static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
