using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>An app object part: class, qId and, for another user's private object, its owner (restored through an impersonated session).</summary>
public sealed record ObjectPartName(string Part, EngineObjectClass Class, string QId, string? PrivateOwnerId)
{
    public static ObjectPartName? Parse(string part)
        => CapturePartNames.TryParseObject(part, out var owner, out var cls, out var qId) ? new ObjectPartName(part, cls, qId, owner) : null;

    public static ObjectPartName Of(EngineObjectClass cls, string qId, string? privateOwnerId)
        => new(privateOwnerId is null ? CapturePartNames.Object(cls, qId) : CapturePartNames.PrivateObject(privateOwnerId, cls, qId), cls, qId, privateOwnerId);
}
