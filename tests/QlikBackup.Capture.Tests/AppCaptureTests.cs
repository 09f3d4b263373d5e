using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Capture.Tests;

[Collection(CaptureCollection.Name)]
public sealed class AppCaptureTests(CaptureEnvironment env)
{
    [Fact]
    public async Task Changing_one_sheet_makes_one_point_with_exactly_one_new_object_blob_and_the_same_qvf()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(2);
        AssetCaptureResult first = await engine.CaptureAppAsync(appId);
        Assert.Equal(CaptureOutcome.Captured, first.Outcome);
        Manifest before = await engine.ManifestAsync(first.PointId!);
        Assert.NotNull(before.Find(CapturePartNames.Qvf));
        Assert.NotNull(before.Find(CapturePartNames.Script));
        Assert.True(first.ObjectCount > 5);

        string editor = env.Tenant.Read(s => s.FindApp(appId)!.OwnerId);
        string sheetId = env.RenameSheet(appId, new SimulatedActor(editor, ClientId: "sense-client-42"));
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);

        Assert.Equal(CaptureOutcome.Captured, second.Outcome);
        Assert.NotEqual(first.PointId, second.PointId);
        Manifest after = await engine.ManifestAsync(second.PointId!);
        var oldRefs = before.Parts.Select(p => p.ContentRef).ToHashSet();
        ManifestPart changed = Assert.Single(after.Parts, p => !oldRefs.Contains(p.ContentRef));
        Assert.Equal(CapturePartNames.Object(EngineObjectClass.GenericObject, sheetId), changed.Name);
        Assert.Equal(before.Find(CapturePartNames.Qvf)!.ContentRef, after.Find(CapturePartNames.Qvf)!.ContentRef);
        Assert.Equal(before.Parts.Select(p => p.Name).Order(), after.Parts.Select(p => p.Name).Order());
        Assert.True(second.NewBytes > 0 && second.NewBytes < before.Find(CapturePartNames.Qvf)!.Size, $"new bytes {second.NewBytes}");
        Assert.Equal(2, (await engine.PointsAsync(AssetKind.App, appId)).Count);
    }

    [Fact]
    public async Task Two_captures_of_the_same_change_at_once_record_one_point()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(4);
        await engine.CaptureAppAsync(appId, trigger: CaptureTrigger.Schedule);
        env.RenameSheet(appId, new SimulatedActor(env.Tenant.Read(s => s.FindApp(appId)!.OwnerId)));

        // A scheduled run and a webhook capture of the same app racing each other.
        AssetCaptureResult[] results = await Task.WhenAll(
            engine.CaptureAppAsync(appId, trigger: CaptureTrigger.Schedule), engine.CaptureAppAsync(appId, trigger: CaptureTrigger.Webhook));

        Assert.Equal(new[] { CaptureOutcome.Captured, CaptureOutcome.Unchanged }, results.Select(r => r.Outcome).Order());
        Assert.Equal(2, (await engine.PointsAsync(AssetKind.App, appId)).Count);
    }

    [Fact]
    public async Task Attribution_names_the_user_client_and_time_of_the_change_from_audit_events()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(2);
        await engine.CaptureAppAsync(appId);
        string editor = env.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin).Id);
        env.RenameSheet(appId, new SimulatedActor(editor, ClientId: "attribution-client"));
        DateTimeOffset modified = env.Tenant.Read(s => s.FindApp(appId)!.ModifiedDate);

        AssetCaptureResult result = await engine.CaptureAppAsync(appId);

        RecoveryPoint point = (await engine.Index.GetAsync(engine.TenantId, result.PointId!))!;
        Assert.Equal(editor, point.ChangedBy);
        Assert.Equal("attribution-client", point.ChangedFromClient);
        Assert.NotNull(point.ChangedAt);
        Assert.True((point.ChangedAt!.Value - modified).Duration() < TimeSpan.FromSeconds(1), $"{point.ChangedAt} vs {modified}");
        Assert.Equal(modified, point.SourceModifiedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_reload_exports_a_new_qvf()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(3);
        Manifest before = await engine.ManifestAsync((await engine.CaptureAppAsync(appId)).PointId!);

        env.Reload(appId);
        AssetCaptureResult result = await engine.CaptureAppAsync(appId);

        Assert.Equal(CaptureOutcome.Captured, result.Outcome);
        Manifest after = await engine.ManifestAsync(result.PointId!);
        Assert.NotEqual(before.Find(CapturePartNames.Qvf)!.ContentRef, after.Find(CapturePartNames.Qvf)!.ContentRef);
        // Objects did not change: their parts are the same blobs.
        Assert.All(after.Parts.Where(p => p.Name.StartsWith(CapturePartNames.ObjectPrefix, StringComparison.Ordinal)),
            p => Assert.Equal(before.Find(p.Name)!.ContentRef, p.ContentRef));
    }

    [Fact]
    public async Task A_changed_reload_schedule_makes_a_new_app_point_without_reading_the_app_again()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Select(t => t["appId"]!.GetValue<string>())
            .First(id => s.FindApp(id)?.SpaceId is not null));
        Manifest before = await engine.ManifestAsync((await engine.CaptureAppAsync(appId)).PointId!);
        Assert.Contains(appId, System.Text.Encoding.UTF8.GetString(await ReadAsync(engine, before.Find(CapturePartNames.ReloadTasks)!)));
        Assert.Equal(CaptureOutcome.Unchanged, (await engine.CaptureAppAsync(appId)).Outcome);

        string? taskId = env.ChangeReloadTask(appId);
        Assert.NotNull(taskId);
        AssetCaptureResult result = await engine.CaptureAppAsync(appId);

        Assert.Equal(CaptureOutcome.Captured, result.Outcome);
        Manifest after = await engine.ManifestAsync(result.PointId!);
        ManifestPart changed = Assert.Single(after.Parts, p => before.Find(p.Name)?.ContentRef != p.ContentRef);
        Assert.Equal(CapturePartNames.ReloadTasks, changed.Name);
        Assert.Contains(taskId, System.Text.Encoding.UTF8.GetString(await ReadAsync(engine, changed)));
    }

    [Fact]
    public async Task Private_objects_of_every_owner_are_captured_through_impersonated_sessions()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.AppWithPrivateObjectsOfTwoMembers();
        HashSet<(string Owner, string QId)> expected = env.ReachablePrivateObjectsOfOthers(appId);

        Manifest manifest = await engine.ManifestAsync((await engine.CaptureAppAsync(appId)).PointId!);

        Assert.Equal(expected, PrivateParts(manifest));
        Assert.True(expected.Select(e => e.Owner).Distinct().Count() >= 2);
        Assert.Null(manifest.Find(CapturePartNames.CaptureNotes));
        // The private objects' JSON is what the owner sees (e.g. the title the seeder gave them).
        ManifestPart one = manifest.Parts.First(p => p.Name.StartsWith(CapturePartNames.PrivatePrefix, StringComparison.Ordinal));
        Assert.Contains("private", System.Text.Encoding.UTF8.GetString(await ReadAsync(engine, one)));
        // The "objects" part records owner and publish state of every stored object (a QVF import would reset them).
        var index = System.Text.Json.JsonDocument.Parse(await ReadAsync(engine, manifest.Find(CapturePartNames.Objects)!)).RootElement
            .EnumerateArray().ToDictionary(e => e.GetProperty("qId").GetString()!);
        Assert.Equal(manifest.Parts.Count(p => CapturePartNames.TryParseObject(p.Name, out _, out _, out _)), index.Count);
        Assert.All(expected, e => Assert.Equal((e.Owner, false), (index[e.QId].GetProperty("ownerId").GetString(), index[e.QId].GetProperty("published").GetBoolean())));
        // The backup principal's own session never saw them: they are not also stored as shared objects.
        Assert.DoesNotContain(manifest.Parts, p => CapturePartNames.TryParseObject(p.Name, out string? owner, out _, out string qId)
            && owner is null && expected.Any(e => e.QId == qId));
    }

    static HashSet<(string Owner, string QId)> PrivateParts(Manifest manifest)
    {
        var captured = new HashSet<(string Owner, string QId)>();
        foreach (ManifestPart part in manifest.Parts)
        {
            if (CapturePartNames.TryParseObject(part.Name, out string? owner, out _, out string qId) && owner is not null) captured.Add((owner, qId));
        }

        return captured;
    }

    [Fact]
    public async Task Without_an_oauth_client_private_objects_are_listed_as_not_captured()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Qlik:OAuthClientId"] = "", ["Qlik:OAuthClientSecret"] = "" });
        string appId = env.AppWithPrivateObjectsOfTwoMembers();

        Manifest manifest = await engine.ManifestAsync((await engine.CaptureAppAsync(appId)).PointId!);

        Assert.DoesNotContain(manifest.Parts, p => p.Name.StartsWith(CapturePartNames.PrivatePrefix, StringComparison.Ordinal));
        string notes = System.Text.Encoding.UTF8.GetString(await ReadAsync(engine, manifest.Find(CapturePartNames.CaptureNotes)!));
        Assert.Contains("Qlik:OAuthClientId", notes);
    }

    [Fact]
    public async Task A_deleted_app_gets_a_deleted_point_and_keeps_its_earlier_points()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(6);
        string spaceId = env.Tenant.Read(s => s.FindApp(appId)!.SpaceId!);
        var space = new SpaceCaptureTarget(spaceId, null, Tier.T3);
        Assert.Equal(CaptureOutcome.Captured, (await engine.CaptureAppAsync(appId, trigger: CaptureTrigger.Schedule)).Outcome);
        RecoveryPoint captured = Assert.Single(await engine.PointsAsync(AssetKind.App, appId));

        await engine.Rest.DeleteAppAsync(appId);
        IReadOnlyList<AssetRef> listed = await engine.Capture.ListAssetsAsync(space);
        Assert.DoesNotContain(listed, a => a.Id == appId);
        IReadOnlyList<AssetCaptureResult> deleted = await engine.Capture.MarkDeletedAsync(space, listed);

        AssetCaptureResult marked = Assert.Single(deleted);
        Assert.Equal((AssetKind.App, appId, CaptureOutcome.Deleted), (marked.Asset.Kind, marked.Asset.Id, marked.Outcome));
        IReadOnlyList<RecoveryPoint> points = await engine.PointsAsync(AssetKind.App, appId);
        Assert.Equal(new[] { RecoveryPointStatus.Deleted, RecoveryPointStatus.Captured }, points.Select(p => p.Status));
        Assert.Equal(captured.PointId, points[1].PointId);
        Assert.NotNull(points[0].ChangedBy); // who deleted it, from the app.deleted audit event
        // The earlier point's content is intact, and a second check does not mark it again.
        Assert.NotEmpty((await engine.ManifestAsync(captured.PointId)).Parts);
        Assert.Empty(await engine.Capture.MarkDeletedAsync(space, listed));
        Assert.Equal(2, (await engine.PointsAsync(AssetKind.App, appId)).Count);
    }

    static async Task<byte[]> ReadAsync(CaptureEngine engine, ManifestPart part)
    {
        await using Stream s = await engine.Store.OpenReadAsync(engine.TenantId, part.ContentRef);
        using var buffer = new MemoryStream();
        await s.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
