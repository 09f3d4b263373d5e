using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Capture.Tests;

[Collection(CaptureCollection.Name)]
public sealed class TierCaptureTests(CaptureEnvironment env)
{
    [Fact]
    public async Task Each_tier_run_captures_exactly_its_spaces_and_an_immediate_second_run_stores_nothing()
    {
        await using CaptureEngine engine = env.CreateEngine();
        var spaces = env.Tenant.Read(s => s.Spaces.OrderBy(x => x.Id, StringComparer.Ordinal).Select(x => x.Id).ToList());
        int spaceApps = env.Tenant.Read(s => s.Apps.Count(a => a.SpaceId is not null));
        Assert.True(spaces.Count >= 5 && spaceApps >= 50, $"Large tenant expected, got {spaces.Count} spaces / {spaceApps} apps.");

        // T1 and T2 get two spaces each, the rest stay in the default tier (T3).
        var expected = new Dictionary<Tier, HashSet<string>>
        {
            [Tier.T1] = [spaces[0], spaces[4]],
            [Tier.T2] = [spaces[1], spaces[5]],
            [Tier.T3] = spaces.Except([spaces[0], spaces[4], spaces[1], spaces[5]]).ToHashSet(),
        };
        foreach (Tier tier in new[] { Tier.T1, Tier.T2 })
            foreach (string id in expected[tier]) await engine.Tiers.SetAsync(id, tier);

        var captured = new HashSet<string>();
        foreach (Tier tier in new[] { Tier.T1, Tier.T2, Tier.T3 })
        {
            IReadOnlyList<SpaceCaptureTarget> targets = await engine.Capture.ListSpacesAsync(tier);
            var realSpaces = targets.Select(t => t.SpaceId).Where(id => id is not (CaptureService.PersonalSpaceId or SpaceCaptureTarget.TenantConfigSpaceId)).ToHashSet();
            Assert.Equal(expected[tier], realSpaces);
            Assert.All(targets, t => Assert.Equal(tier, t.Tier));
            // Personal content and tenant configuration follow the default / tenant-config tier (both T3 here).
            Assert.Equal(tier == Tier.T3, targets.Any(t => t.SpaceId == SpaceCaptureTarget.TenantConfigSpaceId));
            Assert.Equal(tier == Tier.T3, targets.Any(t => t.SpaceId == CaptureService.PersonalSpaceId));

            List<AssetCaptureResult> results = await engine.CaptureSpacesAsync(targets);
            Assert.DoesNotContain(results, r => r.Outcome is CaptureOutcome.Failed or CaptureOutcome.Deleted);
            Assert.All(results, r => Assert.Equal(CaptureOutcome.Captured, r.Outcome));
            captured.UnionWith(expected[tier]);

            // Every app of a captured space has exactly one point, filed under its space; apps of later tiers have none yet.
            foreach (string spaceId in spaces)
            {
                foreach (string appId in env.AppIdsIn(spaceId))
                {
                    IReadOnlyList<RecoveryPoint> points = await engine.PointsAsync(AssetKind.App, appId);
                    if (captured.Contains(spaceId))
                    {
                        RecoveryPoint point = Assert.Single(points);
                        Assert.Equal(spaceId, point.SpaceId);
                        Assert.Equal(TierOfSpace(expected, spaceId), point.Tier);
                    }
                    else
                    {
                        Assert.Empty(points);
                    }
                }
            }
        }

        // Immediately again, every tier: everything is unchanged and not one byte is written.
        var second = new List<AssetCaptureResult>();
        foreach (Tier tier in new[] { Tier.T1, Tier.T2, Tier.T3 })
            second.AddRange(await engine.CaptureSpacesAsync(await engine.Capture.ListSpacesAsync(tier)));
        Assert.NotEmpty(second);
        Assert.All(second, r => Assert.Equal(CaptureOutcome.Unchanged, r.Outcome));
        Assert.Equal(0, second.Sum(r => r.NewBytes));
        foreach (string appId in spaces.SelectMany(env.AppIdsIn))
            Assert.Single(await engine.PointsAsync(AssetKind.App, appId));
    }

    static Tier TierOfSpace(Dictionary<Tier, HashSet<string>> expected, string spaceId) => expected.First(e => e.Value.Contains(spaceId)).Key;
}
