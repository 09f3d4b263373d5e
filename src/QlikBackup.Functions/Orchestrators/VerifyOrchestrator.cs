using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Verify;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// Verify a point, an asset, or the whole store (one activity per asset, bounded parallelism, so a large store never
/// runs as one long activity). Anything missing or corrupt, or any part of the run that failed, is alerted.
/// </summary>
public sealed class VerifyOrchestrator : TaskOrchestrator<VerifyRequest, VerifyReport>
{
    const int MaxParallelAssets = 4;

    [Function(nameof(VerifyOrchestrator))]
    public static Task<VerifyReport> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new VerifyOrchestrator().RunAsync(context, context.GetInput<VerifyRequest>()!);

    public override async Task<VerifyReport> RunAsync(TaskOrchestrationContext context, VerifyRequest input)
    {
        VerifyReport report;
        if (!input.All)
        {
            report = await VerifyAsync(context, input);
        }
        else
        {
            report = VerifyReport.Empty;
            try
            {
                var targets = await context.CallActivityAsync<List<VerifyTarget>>(nameof(ListVerifyTargets), null, ActivityRetry.Default);
                var inFlight = new List<Task<VerifyReport>>();
                foreach (VerifyTarget target in targets)
                {
                    if (inFlight.Count >= MaxParallelAssets)
                    {
                        Task<VerifyReport> done = await Task.WhenAny(inFlight);
                        inFlight.Remove(done);
                        report = report.Add(await done);
                    }

                    inFlight.Add(VerifyAsync(context, new VerifyRequest(Kind: target.Kind, AssetId: target.AssetId)));
                }

                foreach (VerifyReport done in await Task.WhenAll(inFlight)) report = report.Add(done);
            }
            catch (TaskFailedException ex)
            {
                report = report.Add(VerifyReport.Failed($"Listing the assets to verify failed: {Failures.Describe(ex)}"));
            }
        }

        if (!report.Ok)
        {
            await Alerting.TrySendAsync(context, new Alert(
                AlertKind.VerifyFailed,
                $"Verify found {report.ProblemCount} problem(s) in {report.Points} recovery point(s)",
                string.Join("\n", report.Errors.Concat(report.Problems.Select(p =>
                    $"{p.Problem}: point {p.PointId} ({p.Kind} {p.AssetId}) {p.Part ?? "manifest"}: {p.Detail}"))),
                context.InstanceId));
        }

        return report;
    }

    /// <summary>A verify activity that fails outright (storage down) is a failed part of the run, never a silent one.</summary>
    static async Task<VerifyReport> VerifyAsync(TaskOrchestrationContext context, VerifyRequest request)
    {
        try
        {
            return await context.CallActivityAsync<VerifyReport>(nameof(VerifyRecoveryPoints), request, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            return VerifyReport.Failed($"Verifying {request.PointId ?? $"{request.Kind} {request.AssetId}"} failed: {Failures.Describe(ex)}");
        }
    }
}
