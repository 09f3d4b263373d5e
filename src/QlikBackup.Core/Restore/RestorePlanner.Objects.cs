using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, object scope: one object or the load script of a live app.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        async Task PlanObjectAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            var app = await LiveAppOfAsync(point, ct)
                ?? throw NotFound("App not found", $"App '{point.Name ?? point.AssetId}' ({point.AssetId}) no longer exists; restore the whole app with App scope.");
            b.Targets.Add(new RestoreTarget(point.PointId, AssetKind.App, point.AssetId, point.Name, app.Id, app.SpaceId, TargetSpace: await DescribeSpaceAsync(app.SpaceId, ct)));
            WarnTargetSpaceUnused("object scope writes into the live app");
            var own = await Sessions.GetAsync(app.Id, null, ct);

            if (string.Equals(r.ObjectId, CapturePartNames.Script, StringComparison.OrdinalIgnoreCase))
            {
                if (!content.Has(CapturePartNames.Script))
                    throw NotFound("Object not in the recovery point", $"Point '{point.PointId}' holds no load script.");
                var same = SnapshotPart.OfText(await content.ReadTextAsync(CapturePartNames.Script, ct)).SameAs(SnapshotPart.OfText(await own.Engine.GetScriptAsync(ct)));
                b.Add(RestoreStep.Script, same ? RestoreActionKind.Skip : RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, point.Name,
                    same ? "The live load script equals the point's." : "Replace the load script with the point's (reload the app to apply it).",
                    objectId: CapturePartNames.Script, part: CapturePartNames.Script);
                return;
            }

            var part = content.Objects.FirstOrDefault(o => o.QId == r.ObjectId)
                ?? throw NotFound("Object not in the recovery point",
                    $"Point '{point.PointId}' of app '{point.Name ?? point.AssetId}' holds no top-level object '{r.ObjectId}' (charts are restored with their sheet). "
                    + $"It holds: {string.Join(", ", content.Objects.Take(20).Select(o => o.QId))}{(content.Objects.Count() > 20 ? ", …" : "")}.");
            var session = await Sessions.GetAsync(app.Id, part.PrivateOwnerId, ct);
            var captured = await content.ReadJsonAsync(part.Part, ct);
            var (kind, why) = await CompareObjectAsync(session, part, captured, ct);
            b.Add(RestoreStep.Object, kind, point, AssetKind.App, point.AssetId, point.Name, why, objectId: part.QId, part: part.Part);
        }

        static async Task<(RestoreActionKind, string)> CompareObjectAsync(EngineSessions.Session session, ObjectPartName part, JsonElement captured, CancellationToken ct)
            => Decide(part, captured, await session.FindAsync(part.Class, part.QId, ct) is null ? null : await session.Engine.GetPropertiesAsync(part.Class, part.QId, ct));

        /// <summary>Create when the live app lacks the object, Skip when it equals the point's, else Replace (with the first differences).</summary>
        static (RestoreActionKind, string) Decide(ObjectPartName part, JsonElement captured, JsonElement? live)
        {
            string what = Describe(part, captured);
            if (live is not { } current) return (RestoreActionKind.Create, $"Create {what}, which the live app no longer has.");
            if (JsonTools.SameContent(current, captured)) return (RestoreActionKind.Skip, $"{Cap(what)} equals the point's.");
            var changes = JsonTools.Diff(captured, current);
            return (RestoreActionKind.Replace, $"Replace {what}: {changes.Count} difference(s), e.g. {string.Join("; ", changes.Take(3).Select(c => $"{c.Path}: {JsonTools.Short(c.New)} → {JsonTools.Short(c.Old)}"))}.");
        }

        static string Describe(ObjectPartName part, JsonElement props)
        {
            string type = LiveApp.QType(props) ?? part.Class.ToString();
            string title = JsonTools.GetString(props, "qProperty", "qMetaDef", "title") ?? JsonTools.GetString(props, "qMetaDef", "title")
                ?? JsonTools.GetString(props, "qName") ?? "";
            string owner = part.PrivateOwnerId is null ? "" : $", private to user {part.PrivateOwnerId}";
            return $"{type} {part.QId}{(title.Length > 0 ? $" '{title}'" : "")}{owner}";
        }

        static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
    }
}
