namespace QlikBackup.Cli;

/// <summary>Process exit codes; documented in docs/cli.md so schedulers can act on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad arguments (System.CommandLine's own code for parse errors).</summary>
    public const int Usage = 1;
    /// <summary>The API answered an error, or could not be reached.</summary>
    public const int Api = 2;
    /// <summary>status: at least one tier is past its RPO.</summary>
    public const int RpoBreached = 3;
    /// <summary>--wait: the operation finished unsuccessfully (Failed, Terminated, Canceled, a restore that did not succeed, or a verify that found problems).</summary>
    public const int OperationFailed = 4;
    /// <summary>--wait: --wait-timeout passed and the operation is still going.</summary>
    public const int WaitTimedOut = 5;
    /// <summary>drill show: the drill failed (an asset differs, the RTO was breached, or drill spaces were left behind).</summary>
    public const int DrillFailed = 6;
    /// <summary>Stopped by Ctrl+C (the conventional 128 + SIGINT).</summary>
    public const int Canceled = 130;
    /// <summary>A bug in the CLI itself (reported as one line, never a stack trace).</summary>
    public const int Internal = 70;
}
