using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Capture.Tests.Support;

/// <summary>Changes made to the simulated tenant the way Qlik users make them (each recorded as an audit event).</summary>
public static class SimulatedChanges
{
    /// <summary>
    /// Apps of shared spaces in a fixed order; each test takes its own index so tests never change each other's apps.
    /// 0-1: read only; 2: sheet change and attribution; 3: reload; 4: concurrent captures;
    /// 6: delete; 7: webhook; 8: out of order; 9: retention; 20-23: run attribution; others: read only (private objects).
    /// The tier test reads all.
    /// </summary>
    public static string SharedApp(this CaptureEnvironment env, int index) => env.Tenant.Read(s =>
    {
        var shared = s.Spaces.Where(x => x.Type == SpaceTypes.Shared).Select(x => x.Id).ToHashSet();
        return s.Apps.Where(a => a.SpaceId is not null && shared.Contains(a.SpaceId)).OrderBy(a => a.Id, StringComparer.Ordinal).ElementAt(index).Id;
    });

    /// <summary>Renames one published sheet of the app (an Engine save as <paramref name="actor"/>); returns the sheet's qId.</summary>
    public static string RenameSheet(this CaptureEnvironment env, string appId, SimulatedActor actor)
        => env.Tenant.UpdateAppDocument(appId, actor, (app, doc) =>
        {
            SimulatedObject sheet = doc.Objects.Values.Where(o => o.QType == "sheet" && o.Published).OrderBy(o => o.Id, StringComparer.Ordinal).First();
            sheet.Properties["qProperty"]!["qMetaDef"]!["title"] = "Renamed " + Guid.NewGuid().ToString("N")[..8];
            sheet.ModifiedDate = env.Tenant.Time.GetUtcNow();
            return sheet.Id;
        });

    /// <summary>A reload: new data and a new lastReloadTime (what makes a new QVF).</summary>
    public static void Reload(this CaptureEnvironment env, string appId)
        => env.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (app, doc) =>
        {
            app.LastReloadTime = env.Tenant.Time.GetUtcNow();
            doc.AppProperties["qLastReloadTime"] = app.LastReloadTime.Value.ToString("O");
            doc.DataPayload = System.Security.Cryptography.RandomNumberGenerator.GetBytes(doc.DataPayload.Length);
            return 0;
        });

    /// <summary>Changes the schedule of one reload task of the app (the app itself is not saved); returns the task id.</summary>
    public static string? ChangeReloadTask(this CaptureEnvironment env, string appId)
        => env.Tenant.Write(SimulatedActor.System, c =>
        {
            JsonObject? task = c.State.Resource(ResourceKinds.ReloadTasks).FirstOrDefault(t => t["appId"]?.GetValue<string>() == appId);
            if (task is null) return null;
            task["recurrence"] = new JsonArray("RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=23;BYMINUTE=" + Random.Shared.Next(0, 59) + ";BYSECOND=0");
            return task["id"]!.GetValue<string>();
        });

    /// <summary>
    /// Private (unpublished) objects of users other than the app owner who can open the app, as (owner, qId). The seeder also
    /// gives private objects to users without access (like users whose access was revoked); Qlik opens the app for nobody
    /// of them, so no backup can read those.
    /// </summary>
    public static HashSet<(string Owner, string QId)> ReachablePrivateObjectsOfOthers(this CaptureEnvironment env, string appId) => env.Tenant.Read(s =>
    {
        SimApp app = s.FindApp(appId)!;
        return app.Document.Objects.Values
            .Where(o => !o.Published && o.OwnerId is not null && o.OwnerId != app.OwnerId && s.CanSeeApp(new SimulatedActor(o.OwnerId), app))
            .Select(o => (o.OwnerId!, o.Id)).ToHashSet();
    });

    /// <summary>A shared-space app (beyond those other tests change) with private objects of at least two members.</summary>
    public static string AppWithPrivateObjectsOfTwoMembers(this CaptureEnvironment env)
    {
        for (int i = 10; ; i++)
        {
            string appId = env.SharedApp(i);
            if (env.ReachablePrivateObjectsOfOthers(appId).Select(o => o.Owner).Distinct().Count() >= 2) return appId;
        }
    }
}
