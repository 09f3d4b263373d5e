namespace QlikBackup.Core.Storage;

/// <summary>Runs a one-time asynchronous setup (create a container or table) once; retries on the next call if it failed.</summary>
sealed class AsyncOnce(Func<CancellationToken, Task> action)
{
    readonly Lock gate = new();
    Task? task;

    public Task RunAsync(CancellationToken ct)
    {
        lock (gate)
        {
            if (task is null || task.IsFaulted || task.IsCanceled)
            {
                // Shared by concurrent callers, so one caller's cancellation must not cancel it for the others.
                task = action(CancellationToken.None);
            }

            return task.WaitAsync(ct);
        }
    }
}
