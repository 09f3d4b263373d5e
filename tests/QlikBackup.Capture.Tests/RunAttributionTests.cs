using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Capture.Tests;

/// <summary>Attribution in a run: Qlik's audit log read once per run from the tier's cursor, not once per new point.</summary>
[Collection(CaptureCollection.Name)]
public sealed class RunAttributionTests(CaptureEnvironment env)
{
    /// <summary>Counts the requests the engine sends to Qlik's audits API (a handler per client, one count).</summary>
    sealed class AuditCalls
    {
        int count;
        public int Count => Volatile.Read(ref count);

        public DelegatingHandler NewHandler() => new Counting(this);

        sealed class Counting(AuditCalls calls) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                if (request.RequestUri?.AbsolutePath.Contains("/api/v1/audits", StringComparison.Ordinal) == true) Interlocked.Increment(ref calls.count);
                return base.SendAsync(request, ct);
            }
        }
    }

    [Fact]
    public async Task A_run_with_N_changed_apps_reads_the_audit_log_once_and_attributes_each_change_exactly()
    {
        var audits = new AuditCalls();
        await using CaptureEngine engine = env.CreateEngine(configure: s => s.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(audits.NewHandler)));
        string[] apps = [.. Enumerable.Range(20, 4).Select(i => env.SharedApp(i))];
        var editors = env.Tenant.Read(s => s.Users.Where(u => !u.IsTenantAdmin).Take(apps.Length).Select(u => u.Id).ToList());
        Assert.Equal(apps.Length, editors.Count);

        // A first run captures the apps and sets the tier's cursor.
        CaptureRunContext first = await engine.Capture.BeginRunAsync(Tier.T2, "first");
        foreach (string app in apps) Assert.Equal(CaptureOutcome.Captured, (await CaptureInRunAsync(engine, app, first)).Outcome);
        await engine.Capture.EndRunAsync(Tier.T2, first, advanceCursor: true);

        // Each app changed by another user, from another client; then a run captures the N changes.
        var modified = new Dictionary<string, DateTimeOffset>();
        for (int i = 0; i < apps.Length; i++)
        {
            env.RenameSheet(apps[i], new SimulatedActor(editors[i], ClientId: $"run-client-{i}"));
            modified[apps[i]] = env.Tenant.Read(s => s.FindApp(apps[i])!.ModifiedDate);
        }

        // Changes of the last moments before a read are left to their own windows (their events may not be listed yet).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        int before = audits.Count;
        CaptureRunContext second = await engine.Capture.BeginRunAsync(Tier.T2, "second");
        int read = audits.Count - before;
        // It starts at the cursor the first run left (the newest event it read, less a few minutes of overlap).
        Assert.True(second.Audits!.From > first.Audits!.From, $"{second.Audits.From:o} after {first.Audits.From:o}");
        Assert.Equal((first.Audits.NewestEventAt ?? first.Audits.To) - TimeSpan.FromMinutes(5), second.Audits.From);
        var points = new List<RecoveryPoint>();
        foreach (string app in apps)
        {
            AssetCaptureResult result = await CaptureInRunAsync(engine, app, second);
            Assert.Equal(CaptureOutcome.Captured, result.Outcome);
            points.Add((await engine.Index.GetAsync(engine.TenantId, result.PointId!))!);
        }

        // The N captures read no audits: one read per run (its pages), however many assets changed.
        Assert.InRange(read, 1, 100);
        Assert.Equal(before + read, audits.Count);
        for (int i = 0; i < apps.Length; i++)
        {
            Assert.Equal(editors[i], points[i].ChangedBy);
            Assert.Equal($"run-client-{i}", points[i].ChangedFromClient);
            Assert.True((points[i].ChangedAt!.Value - modified[apps[i]]).Duration() < TimeSpan.FromSeconds(1), $"{points[i].ChangedAt} vs {modified[apps[i]]}");
        }

        // Changes made after the run's read are not in it: one more read of the events since, shared by the run's captures of
        // such changes, attributes them.
        string[] late = env.Tenant.Read(s => s.Users.Where(u => !u.IsTenantAdmin).Skip(apps.Length).Take(2).Select(u => u.Id).ToArray());
        env.RenameSheet(apps[0], new SimulatedActor(late[0], ClientId: "late-client-0"));
        env.RenameSheet(apps[1], new SimulatedActor(late[1], ClientId: "late-client-1"));
        int beforeLate = audits.Count;
        for (int i = 0; i < 2; i++)
        {
            AssetCaptureResult lateResult = await CaptureInRunAsync(engine, apps[i], second);
            RecoveryPoint latePoint = (await engine.Index.GetAsync(engine.TenantId, lateResult.PointId!))!;
            Assert.Equal((late[i], $"late-client-{i}"), (latePoint.ChangedBy, latePoint.ChangedFromClient));
        }

        Assert.Equal(beforeLate + 1, audits.Count);

        // A run that failed leaves the cursor: the next run reads the same events again.
        await engine.Capture.EndRunAsync(Tier.T2, second, advanceCursor: false);
        CaptureRunContext third = await engine.Capture.BeginRunAsync(Tier.T2, "third");
        Assert.Equal(second.Audits.From, third.Audits!.From);
        await engine.Capture.EndRunAsync(Tier.T2, third, advanceCursor: true);
        CaptureRunContext fourth = await engine.Capture.BeginRunAsync(Tier.T2, "fourth");
        Assert.True(fourth.Audits!.From > third.Audits.From);
        await engine.Capture.EndRunAsync(Tier.T2, fourth, advanceCursor: true);
    }

    static Task<AssetCaptureResult> CaptureInRunAsync(CaptureEngine engine, string appId, CaptureRunContext run)
        => engine.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), Tier.T2, CaptureTrigger.Schedule, run);
}
