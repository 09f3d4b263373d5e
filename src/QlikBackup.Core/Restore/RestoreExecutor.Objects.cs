using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution, Engine steps: objects, script and app properties (upserts; saved and recorded together by FlushAsync).
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        async Task ApplyEngineAsync(RestoreAction action, string appId, CancellationToken ct)
        {
            var content = await ContentAsync(action.PointId!, ct);
            switch (action.Step)
            {
                case RestoreStep.Object:
                {
                    var part = ObjectPartName.Parse(action.Part!) ?? throw new InvalidOperationException($"'{action.Part}' is not an object part.");
                    var session = await Sessions.GetAsync(appId, InTarget(part.PrivateOwnerId), ct);
                    var (kind, qId) = await session.UpsertAsync(part.Class, part.QId, await content.ReadJsonAsync(part.Part, ct), ct);
                    if (qId != part.QId)
                        x.Log.LogWarning("Restore {RestoreId}: {Class} {QId} was created as {NewQId} in app {AppId} (its qId is taken).", plan.RestoreId, part.Class, part.QId, qId, appId);
                    if (part.PrivateOwnerId is null && part.Class != EngineObjectClass.Variable)
                        await RestoreSharedStateAsync(action, content, session, part, kind, appId, qId, ct);
                    break;
                }
                case RestoreStep.DeleteObject:
                {
                    var part = ObjectPartName.Parse(action.Part!) ?? throw new InvalidOperationException($"'{action.Part}' is not an object part.");
                    await (await Sessions.GetAsync(appId, null, ct)).DestroyAsync(part.Class, part.QId, ct);
                    break;
                }
                case RestoreStep.Script:
                    await (await Sessions.GetAsync(appId, null, ct)).SetScriptAsync(await content.ReadTextAsync(CapturePartNames.Script, ct), ct);
                    break;
                case RestoreStep.AppProperties:
                    await (await Sessions.GetAsync(appId, null, ct)).SetAppPropertiesAsync(await content.ReadJsonAsync(CapturePartNames.AppProperties, ct), ct);
                    break;
            }
        }

        /// <summary>
        /// A shared object's publish state and owner: as the "objects" part recorded them; without it, an object created anew is
        /// published (it was visible to the backup principal, so it was shared) and keeps the restore principal as owner.
        /// </summary>
        async Task RestoreSharedStateAsync(RestoreAction action, PointContent content, EngineSessions.Session session, ObjectPartName part, RestoreActionKind kind,
            string appId, string qId, CancellationToken ct)
        {
            var index = await ObjectIndexAsync(content, ct);
            var meta = index?.GetValueOrDefault((part.Class, part.QId));
            if (meta is null && kind != RestoreActionKind.Create) return;
            try
            {
                await session.SetPublishStateAsync(part.Class, qId, meta?.Published ?? true, meta?.Approved ?? false, ct);
            }
            catch (NotSupportedException)
            {
                x.Log.LogWarning("Restore {RestoreId}: the Engine session cannot set the publish state of {QId}.", plan.RestoreId, qId);
            }
            if (InTarget(meta?.OwnerId) is { } owner && (await session.FindAsync(part.Class, qId, ct))?.OwnerId != owner) _owners.Add((appId, qId, owner, action));
        }
    }
}
