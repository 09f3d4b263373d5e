using Microsoft.DurableTask;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>The one retry policy of every activity call: the activities are idempotent, so a retried attempt finishes the work.</summary>
public static class ActivityRetry
{
    /// <summary>Three attempts, 2 s then 4 s apart: enough for a 429 burst, a dropped Engine socket or a storage blip.</summary>
    public static readonly TaskOptions Default = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(2), 2.0));

    /// <summary>The rest of <see cref="Default"/> for work whose first attempt already failed (an asset of a batch): two more, 2 s apart.</summary>
    public static readonly TaskOptions AfterFirstAttempt = TaskOptions.FromRetryPolicy(new RetryPolicy(2, TimeSpan.FromSeconds(2), 2.0));
}
