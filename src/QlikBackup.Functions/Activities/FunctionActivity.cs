using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace QlikBackup.Functions.Activities;

/// <summary>
/// Runs a class-based activity from its Azure Functions trigger, exactly as the Durable source generator would,
/// so the same class runs under Functions, the local Durable host and DurableTaskTestHost.
/// </summary>
public static class FunctionActivity
{
    public static Task<TOutput> RunAsync<TActivity, TInput, TOutput>(FunctionContext context, TInput input)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        var activity = ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(context.InstanceServices);
        string instanceId = context.BindingContext.BindingData.TryGetValue("instanceId", out object? id) ? id?.ToString() ?? "" : "";
        return activity.RunAsync(new Context(typeof(TActivity).Name, instanceId), input);
    }

    sealed class Context(string name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;
        public override string InstanceId { get; } = instanceId;
    }
}
