using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Logging;

namespace QlikBackup.LocalHost.Durable;

/// <summary>
/// The Azure Storage provider as the gRPC sidecar sees it. Two things are adapted; everything else is passed through.
/// <list type="bullet">
/// <item>History: the sidecar records sub-orchestration starts as its own subclass of
/// <see cref="SubOrchestrationInstanceCreatedEvent"/> (with a trace context and protobuf tags), which the Azure Storage
/// history table cannot round-trip: the row is written without its EventType and the parent orchestration can never be
/// loaded again. Before each commit such events are swapped for the plain DurableTask.Core event.</item>
/// <item>Lifecycle: the sidecar stops the provider from an <c>async void</c> ApplicationStopping handler while the host
/// stops it too; two concurrent <c>AppLeaseManager.StopAsync</c> calls race on its lease token (NullReferenceException,
/// and exit 134 when thrown inside the <c>async void</c>). Here the provider starts at most once, stops at most once,
/// and every caller of a stop awaits that one stop.</item>
/// <item>Activity leases: DurableTask.Core's own dispatcher renews the queue message of an activity while it runs; the sidecar's
/// dispatcher never does. An activity running longer than the work-item visibility timeout (30 s here) had its message dequeued
/// again ("being processed multiple times concurrently"), and completing it then failed with PopReceiptMismatch, so the work
/// item was abandoned and the activity could run once more. Here a locked activity's message is renewed every third of the
/// timeout until it is completed or abandoned.</item>
/// </list>
/// </summary>
sealed class SidecarOrchestrationService(IOrchestrationService inner, TimeSpan activityVisibility, ILogger log) : IOrchestrationService
{
    readonly Lock gate = new();
    readonly ConcurrentDictionary<string, CancellationTokenSource> renewals = new(StringComparer.Ordinal);
    Task? started;
    Task? stopped;
    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState)
    {
        Normalize(newOrchestrationRuntimeState.Events);
        Normalize(newOrchestrationRuntimeState.NewEvents);
        return inner.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    static void Normalize(IList<HistoryEvent> events)
    {
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                    ClientSpanId = created.ClientSpanId,
                    Tags = created.Tags is null ? null : new Dictionary<string, string>(created.Tags),
                };
            }
        }
    }

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;
    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;
    public Task StartAsync()
    {
        lock (gate)
        {
            // A start that arrives after shutdown began (the sidecar starts its dispatchers once a worker connects) is moot.
            return stopped is not null ? Task.CompletedTask : started ??= inner.StartAsync();
        }
    }

    /// <summary>
    /// The sidecar's own call, from an <c>async void</c> handler where a throw would end the process: it joins the one
    /// stop without observing its failure, which the host's <see cref="StopAsync(bool)"/> reports.
    /// </summary>
    public async Task StopAsync() => await StopAsync(isForced: true).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    /// <summary>
    /// Always forced: the local host never waits for idle orchestration sessions to drain, since their state is in
    /// storage and resumes on the next start.
    /// </summary>
    public Task StopAsync(bool isForced)
    {
        lock (gate)
        {
            return stopped ??= StopOnceAsync(started);
        }
    }

    async Task StopOnceAsync(Task? start)
    {
        // Never started: there is nothing to stop (the provider would dereference a stats loop it never created).
        if (start is null) return;
        // A start that failed was reported to whoever started it; a half-started provider is not stopped again.
        await start.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (start.IsCompletedSuccessfully) await inner.StopAsync(isForced: true);
    }

    public Task CreateAsync() => inner.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();
    public Task DeleteAsync() => inner.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);
    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) => inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        TaskActivityWorkItem workItem = await inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (workItem is not null)
        {
            var stop = new CancellationTokenSource();
            if (renewals.TryAdd(workItem.Id, stop)) _ = RenewUntilDoneAsync(workItem, stop.Token);
            else stop.Dispose();
        }

        return workItem!;
    }

    async Task RenewUntilDoneAsync(TaskActivityWorkItem workItem, CancellationToken done)
    {
        TimeSpan every = activityVisibility / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, done);
                try
                {
                    await inner.RenewTaskActivityWorkItemLockAsync(workItem);
                }
                catch (Exception ex) when (!done.IsCancellationRequested)
                {
                    // A renewal that fails (storage blip) is tried again at the next tick; the message stays invisible until then.
                    log.LogWarning(ex, "Renewing the queue message of activity work item {WorkItemId} failed; trying again in {Interval}.", workItem.Id, every);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    void StopRenewing(TaskActivityWorkItem workItem)
    {
        if (renewals.TryRemove(workItem.Id, out CancellationTokenSource? stop))
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        StopRenewing(workItem);
        return inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        StopRenewing(workItem);
        return inner.AbandonTaskActivityWorkItemAsync(workItem);
    }
}
