namespace QlikBackup.Bench;

/// <summary>One measured step: its wall time, what the capture or restore reported, and the requests it sent.</summary>
public sealed record PhaseResult(
    string Name, double Seconds, int Assets, int Captured, int Unchanged, int Failed, long Bytes, long NewBytes,
    IReadOnlyDictionary<string, long> Requests, string? Note = null, ResourceUse? Use = null)
{
    /// <summary>Parts (and manifests) of the points the step made, where counted (the full capture).</summary>
    public long PartsStored { get; init; }

    public long Request(string key) => Requests.GetValueOrDefault(key);
}

/// <summary>What one benchmark run measured; <see cref="Ratios"/> are what to compare between runs, never the seconds.</summary>
public sealed record BenchReport(
    BenchOptions Options, int ProcessorCount, string Machine, DateTimeOffset StartedAt, int AppsSeeded, int AssetsCaptured,
    IReadOnlyList<PhaseResult> Phases, IReadOnlyDictionary<string, double> Ratios, IReadOnlyList<BenchCheck> Checks)
{
    public PhaseResult Phase(string name) => Phases.Single(p => p.Name == name);

    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>An invariant that does not depend on speed (0 new bytes on an unchanged re-capture, a restore that is correct).</summary>
public sealed record BenchCheck(string Name, bool Passed, string Detail);

/// <summary>Names of the phases, shared by the runner, the report and the smoke test.</summary>
public static class Phases
{
    public const string FullCapture = "full capture";
    public const string RawUpload = "raw upload (floor)";
    public const string ParallelismOne = "capture, parallelism 1";
    public const string ParallelismDefault = "capture, default parallelism";
    public const string Unchanged = "re-capture, unchanged";
    public const string Changed = "re-capture, apps changed";
    public const string RestoreObject = "restore object";
    public const string RestoreObjectFloor = "export+import (object floor)";
    public const string RestoreApp = "restore app";
    public const string RestoreAppFloor = "export+import (app floor)";
    public const string RestoreSpace = "restore space (isolated)";
    public const string RestoreSpaceFloor = "export+import every app (space floor)";
    public const string RestoreLargestSpace = "restore largest space (isolated)";
    public const string RestoreLargestSpaceFloor = "export+import every app (largest space floor)";
    public const string CaptureHugeApp = "capture huge app";
    public const string ExportHugeAppFloor = "export huge app (capture floor)";
    public const string RestoreHugeApp = "restore huge app";
    public const string RestoreHugeAppFloor = "export+import huge app (restore floor)";
    public const string ImportHugeAppFloor = "import huge app (restore memory floor)";
}
