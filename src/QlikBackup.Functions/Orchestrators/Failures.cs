using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// A failure's reason as text, never empty. An activity's failure details can lack a message (an exception thrown without one),
/// and DurableTask.AzureStorage (the local host's provider) does not keep a failed orchestration's FailureDetails at all: its
/// Instances table keeps only the output column, which holds the failure as text.
/// </summary>
public static class Failures
{
    public static string Describe(TaskFailedException ex)
    {
        TaskFailureDetails? details = ex.FailureDetails;
        string? message = NonEmpty(details?.ErrorMessage) ?? NonEmpty(details?.InnerFailure?.ErrorMessage);
        string type = NonEmpty(details?.ErrorType) ?? "an unknown error";
        return message is null
            ? $"'{ex.TaskName}' failed with {type} and no message."
            : message;
    }

    /// <summary>The reason a finished orchestration did not complete: its failure message, else its output, else a sentence saying there was none.</summary>
    public static string Describe(OrchestrationMetadata meta)
        => NonEmpty(meta.FailureDetails?.ErrorMessage)
            ?? NonEmpty(meta.SerializedOutput)
            ?? $"{meta.Name} {meta.InstanceId} ended {meta.RuntimeStatus} without a message{(NonEmpty(meta.FailureDetails?.ErrorType) is { } t ? $" ({t})" : "")}.";

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
