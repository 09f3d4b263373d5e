using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Retention;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>The daily prune, as an orchestration so a failed sweep is retried and its result kept in the task hub.</summary>
public sealed class RetentionOrchestrator : TaskOrchestrator<string?, RetentionResult>
{
    [Function(nameof(RetentionOrchestrator))]
    public static Task<RetentionResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RetentionOrchestrator().RunAsync(context, context.GetInput<string?>());

    public override Task<RetentionResult> RunAsync(TaskOrchestrationContext context, string? input)
        => context.CallActivityAsync<RetentionResult>(nameof(PruneRecoveryPoints), input, ActivityRetry.Default);
}
