using System.Diagnostics;

namespace QlikBackup.Bench;

/// <summary>
/// What one step cost the machine: CPU seconds of this process (the pipeline, the Durable host and the simulated tenant
/// all run in it) and of Azurite's Node process, bytes this process allocated, and how far its working set rose above
/// where the step started. The CPU split is the profile that says which side a step is bound by.
/// </summary>
public sealed record ResourceUse(double CpuSeconds, double AzuriteCpuSeconds, long AllocatedBytes, long PeakWorkingSetRise)
{
    public static readonly ResourceUse None = new(0, 0, 0, 0);
}

/// <summary>Measures <see cref="ResourceUse"/> over one step; the working set is sampled every 20 ms while it runs.</summary>
public sealed class ResourceMeter : IAsyncDisposable
{
    readonly Process? azurite;
    readonly TimeSpan cpuStart, azuriteStart;
    readonly long allocatedStart, workingSetStart;
    readonly CancellationTokenSource stop = new();
    readonly Task sampler;
    long peakWorkingSet;

    ResourceMeter(int? azuriteProcessId)
    {
        azurite = azuriteProcessId is { } pid ? TryGetProcess(pid) : null;
        // A full collection first, so the rise is the step's own and not garbage left by the step before.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        workingSetStart = peakWorkingSet = Environment.WorkingSet;
        allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        azuriteStart = AzuriteCpu();
        sampler = SampleAsync(stop.Token);
    }

    public static ResourceMeter Start(int? azuriteProcessId) => new(azuriteProcessId);

    public async Task<ResourceUse> StopAsync()
    {
        await stop.CancelAsync();
        await sampler;
        Sample();
        return new ResourceUse(
            (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds,
            (AzuriteCpu() - azuriteStart).TotalSeconds,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedStart,
            Math.Max(0, Interlocked.Read(ref peakWorkingSet) - workingSetStart));
    }

    async Task SampleAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Sample();
        }
        catch (OperationCanceledException)
        {
        }
    }

    void Sample()
    {
        long now = Environment.WorkingSet;
        long seen;
        while (now > (seen = Interlocked.Read(ref peakWorkingSet)) && Interlocked.CompareExchange(ref peakWorkingSet, now, seen) != seen)
        {
        }
    }

    TimeSpan AzuriteCpu()
    {
        try
        {
            return azurite is { HasExited: false } ? azurite.TotalProcessorTime : TimeSpan.Zero;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    static Process? TryGetProcess(int pid)
    {
        try
        {
            return Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested) await StopAsync();
        stop.Dispose();
        azurite?.Dispose();
    }
}
