namespace QlikBackup.Restore.Tests;

/// <summary>An object Qlik will not give back to its owner is never only logged: the checklist names it, its owner and the manual step.</summary>
[Collection(RestoreCollection.Name)]
public sealed class ObjectOwnerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_refused_object_change_owner_is_a_checklist_line_naming_the_object_its_owner_and_the_manual_step()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string principal = h.Tenant.Read(s => s.OAuthClients.First(c => c.AllowsImpersonation).UserId);
        string appId = h.SharedApp();
        var app = h.App(appId);
        var sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published && o.OwnerId != principal));
        string owner = sheet.OwnerId!, ownerName = h.Tenant.Read(s => s.FindUser(owner)!.Name);
        await h.CaptureAsync(AssetKind.App, appId);
        // After the point the sheet is renamed and handed to the restore principal; restoring it in place gives it back to its owner.
        h.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (_, doc) =>
        {
            doc.Objects[sheet.Id].Properties["qProperty"]!["qMetaDef"]!["title"] = "Renamed after the point";
            doc.Objects[sheet.Id].OwnerId = principal;
            return 0;
        });
        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });
        h.Simulator.Faults.FailNext(1, 403, $"/api/v1/apps/{appId}/objects/{sheet.Id}/actions/change-owner");

        var result = await h.Restore.ExecuteAsync(plan);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(principal, h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects[sheet.Id].OwnerId));
        string line = Assert.Single(result.Checklist!);
        Assert.Equal($"Object {sheet.Id} of app '{app.Name}' ({appId}) is owned by the restore principal, not by its owner '{ownerName}' ({owner}): "
            + $"Qlik refused the change-owner (Qlik answered 403). Manual step: make '{ownerName}' ({owner}) able to own content in the app's space "
            + $"(a member who may edit), then change the owner of object {sheet.Id} in app {appId} to '{ownerName}' ({owner}).", line);

        // A retried execution (every action done) still reports it: the line is kept with the action's progress.
        var again = await h.Restore.ExecuteAsync(plan);
        Assert.Equal(result.Checklist, again.Checklist);

        // Without the refusal (the sheet renamed again, so it is written) the owner gets it back and there is nothing to say.
        h.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (_, doc) => doc.Objects[sheet.Id].Properties["qProperty"]!["qMetaDef"]!["title"] = "Renamed again");
        var (_, clean) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });
        Assert.Empty(clean.Checklist!);
        Assert.Equal(owner, h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects[sheet.Id].OwnerId));
    }

    [Fact]
    public async Task An_object_only_handed_to_another_owner_since_the_point_is_given_back_in_place()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(1);
        var sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published));
        string owner = sheet.OwnerId!, other = h.Tenant.Read(s => s.Users.First(u => u.Id != owner && u.Status == "active").Id);
        var contents = h.Contents(appId);
        await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.ChangeAppObjectOwnerAsync(appId, sheet.Id, other);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });

        var action = Assert.Single(plan.Actions, a => a.Step == RestoreStep.Object && a.ObjectId == sheet.Id);
        Assert.Equal(RestoreActionKind.Replace, action.Kind);
        Assert.Contains($"owner {other} → {owner}", action.Description);
        Assert.Empty(result.Checklist!);
        var now = h.Contents(appId);
        Assert.Equal(contents.Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents) Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id}:\n{was}\n{now[id]}");
    }
}
