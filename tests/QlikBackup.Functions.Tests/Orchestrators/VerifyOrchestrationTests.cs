using QlikBackup.Functions.Tests.Support;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.Functions.Activities;
using QlikBackup.Functions.Api;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Tests.Orchestrators;

/// <summary>The verify orchestration replayed on DurableTaskTestHost, with scripted per-asset verify activities.</summary>
public sealed class VerifyOrchestrationTests
{
    sealed class RecordingAlerts : IAlertSink
    {
        public ConcurrentBag<Alert> Sent { get; } = [];
        public Task SendAsync(Alert alert, CancellationToken ct = default) { Sent.Add(alert); return Task.CompletedTask; }
    }

    static readonly VerifyProblem Lost = new("p-2", AssetKind.App, "app-2", "qvf", VerifyProblemKind.Missing, "A chunk of content 'c' is missing.");

    static Task<DurableTaskTestHost> StartAsync(RecordingAlerts alerts, ConcurrentBag<string> verified) =>
        TestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<VerifyOrchestrator>();
                registry.AddActivity<SendAlert>();
                registry.AddActivityFunc<string?, List<VerifyTarget>>(nameof(ListVerifyTargets), (_, _) =>
                    [new(AssetKind.App, "app-1"), new(AssetKind.App, "app-2"), new(AssetKind.Space, "broken"), new(AssetKind.Theme, "theme-1")]);
                registry.AddActivityFunc<VerifyRequest, VerifyReport>(nameof(VerifyRecoveryPoints), (_, request) =>
                {
                    verified.Add(request.AssetId ?? request.PointId!);
                    return request.AssetId switch
                    {
                        "broken" => throw new InvalidOperationException("Table storage answered 503"),
                        "app-2" => new VerifyReport(3, 5, 1000, 1, [Lost], []),
                        _ => new VerifyReport(2, 4, 500, 0, [], []),
                    };
                });
            },
            new DurableTaskTestHostOptions { ConfigureServices = services => services.AddSingleton<IAlertSink>(alerts) });

    static async Task<VerifyReport> RunAsync(DurableTaskTestHost host, VerifyRequest request)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(VerifyOrchestrator), request);
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        return meta.ReadOutputAs<VerifyReport>()!;
    }

    [Fact]
    public async Task A_whole_store_verify_visits_every_asset_and_alerts_what_is_missing_and_what_could_not_be_checked()
    {
        var alerts = new RecordingAlerts();
        var verified = new ConcurrentBag<string>();
        await using DurableTaskTestHost host = await StartAsync(alerts, verified);

        VerifyReport report = await RunAsync(host, new VerifyRequest(All: true));

        Assert.Equal(["app-1", "app-2", "broken", "theme-1"], verified.Distinct().Order());
        Assert.False(report.Ok);
        Assert.Equal(7, report.Points);
        Assert.Equal(1, report.ProblemCount);
        Assert.Equal(Lost, Assert.Single(report.Problems));
        Assert.Contains("503", Assert.Single(report.Errors));
        Alert alert = Assert.Single(alerts.Sent);
        Assert.Equal(AlertKind.VerifyFailed, alert.Kind);
        Assert.Contains("p-2", alert.Detail);
        Assert.Contains("503", alert.Detail);
    }

    [Fact]
    public async Task A_clean_verify_raises_no_alert()
    {
        var alerts = new RecordingAlerts();
        await using DurableTaskTestHost host = await StartAsync(alerts, []);

        VerifyReport report = await RunAsync(host, new VerifyRequest(AssetId: "app-1"));

        Assert.True(report.Ok);
        Assert.Equal(2, report.Points);
        Assert.Empty(alerts.Sent);
    }

    [Fact]
    public async Task An_integrity_failure_in_a_handler_answers_a_422_problem_not_a_500()
    {
        var route = new ApiRoute("POST", "restores", "StartRestore", _ => throw new ContentIntegrityException("Chunk 0 of content 'c' is missing."));
        var call = new ApiCall(new DefaultHttpContext().Request, new Dictionary<string, string>(), null!, new ServiceCollection().BuildServiceProvider(), ApiCaller.From(new DefaultHttpContext().Request, [], "local", trustPrincipalHeader: false));

        IActionResult result = await ApiRoutes.ServeAsync(route, call);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(422, problem.StatusCode);
        var details = Assert.IsType<ProblemDetails>(problem.Value);
        Assert.Equal(ContentIntegrityException.Title, details.Title);
        Assert.Contains("missing", details.Detail);
    }
}
