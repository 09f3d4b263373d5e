using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Engine;
using Xunit;
using static QlikBackup.Qlik.Tests.Engine.EngineHarness;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>Another user's private objects: hidden from the admin's session, reachable by impersonating the owner (reference §11, §13).</summary>
public sealed class EnginePrivateObjectTests
{
    [Fact]
    public async Task Private_objects_of_another_user_are_invisible_to_the_admin()
    {
        await using var h = await StartAsync();
        await using var session = await h.OpenAsync();

        var ids = (await session.ListObjectsAsync()).Select(o => o.QId).ToList();

        Assert.DoesNotContain(AlicePrivateSheet, ids);
        Assert.DoesNotContain("alice-chart", ids);
        Assert.DoesNotContain(AlicePrivateBookmark, ids);
        var e = await Assert.ThrowsAsync<QlikEngineException>(() => session.GetPropertiesAsync(EngineObjectClass.GenericObject, AlicePrivateSheet));
        Assert.True(e.IsNotFound);
        await Assert.ThrowsAsync<QlikEngineException>(() => session.GetPropertiesAsync(EngineObjectClass.Bookmark, AlicePrivateBookmark));
        // Nor can the admin destroy what it cannot see.
        Assert.False(await session.DestroyAsync(EngineObjectClass.GenericObject, AlicePrivateSheet));
        Assert.True(h.Model(d => d.Objects.ContainsKey(AlicePrivateSheet)));
    }

    [Fact]
    public async Task Impersonated_session_sees_and_writes_the_owners_private_objects()
    {
        await using var h = await StartAsync();
        await using var asAlice = await h.OpenAsync(asUser: h.AliceId);

        var objects = (await asAlice.ListObjectsAsync()).ToDictionary(o => o.QId);

        Assert.Equal((h.AliceId, false), (objects[AlicePrivateSheet].OwnerId, objects[AlicePrivateSheet].Published));
        Assert.Contains("alice-chart", objects.Keys);
        Assert.Equal(EngineObjectClass.Bookmark, objects[AlicePrivateBookmark].Class);
        // Published content stays visible to alice as well.
        Assert.Contains(Sheet, objects.Keys);
        var tree = Node(await asAlice.GetPropertiesAsync(EngineObjectClass.GenericObject, AlicePrivateSheet));
        Assert.Equal("alice-chart", tree["qChildren"]![0]!["qProperty"]!["qInfo"]!["qId"]!.GetValue<string>());

        // A restore writes a private object back as its owner.
        var qId = await asAlice.CreateAsync(EngineObjectClass.GenericObject, Json("""{"qProperty":{"qInfo":{"qId":"alice-restored","qType":"sheet"}},"qChildren":[]}"""));
        Assert.Equal(h.AliceId, h.Model(d => d.Objects[qId].OwnerId));
        var audit = h.Tenant.Read(s => s.Audits.Last());
        Assert.Equal(h.AliceId, audit.UserId);
        Assert.True(audit.Extensions["actor"]!["impersonated"]!.GetValue<bool>());

        // Bob, impersonated, does not see alice's private objects.
        await using var asBob = await h.OpenAsync(asUser: h.BobId);
        Assert.DoesNotContain(await asBob.ListObjectsAsync(), o => o.OwnerId == h.AliceId);
    }
}
