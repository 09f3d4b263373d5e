using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Names of manifest parts written by the capture engine (what restore reads back).
/// <list type="bullet">
/// <item>Apps: <see cref="App"/> (REST attributes), <see cref="Script"/>, <see cref="AppProperties"/>, one part per top-level
/// Engine object <c>object/{class}/{qId}</c>, one per other user's private object <c>private/{ownerId}/{class}/{qId}</c>,
/// <see cref="Objects"/> (owner and publish state of each stored object), <see cref="Qvf"/>, and the app's <see cref="ReloadTasks"/>, <see cref="DataAlerts"/>, <see cref="Subscriptions"/> (JSON arrays).</item>
/// <item>Spaces: <see cref="Resource"/> + <see cref="Assignments"/>. Themes: <see cref="Resource"/> + <see cref="File"/> (zip).
/// Everything else: <see cref="Resource"/>.</item>
/// <item><see cref="Reconfiguration"/>: JSON array of strings, what an operator must supply after a restore (secrets Qlik never returns).</item>
/// <item><see cref="CaptureNotes"/>: JSON array of strings, what this capture could not include (e.g. private objects without impersonation).</item>
/// </list>
/// JSON parts are canonical (sorted property names, no whitespace), so identical content has identical bytes and one blob.
/// </summary>
public static class CapturePartNames
{
    public const string App = "app";
    public const string Script = "script";
    public const string AppProperties = "appprops";
    public const string Qvf = "qvf";
    /// <summary>JSON array of <c>{qId, qType, class, ownerId, published, approved}</c>, one per stored object (shared and private).</summary>
    public const string Objects = "objects";
    public const string ReloadTasks = "reload-tasks";
    public const string DataAlerts = "data-alerts";
    public const string Subscriptions = "subscriptions";
    public const string Resource = "resource";
    public const string Assignments = "assignments";
    public const string File = "file";
    public const string Reconfiguration = "reconfiguration";
    public const string CaptureNotes = "capture-notes";

    public const string ObjectPrefix = "object/";
    public const string PrivatePrefix = "private/";

    public const string JsonMediaType = "application/json";
    public const string TextMediaType = "text/plain; charset=utf-8";
    public const string QvfMediaType = "application/vnd.qlik.qvf";
    public const string ZipMediaType = "application/zip";

    /// <summary>An object visible to the backup principal (published objects, the principal's own, ownerless ones).</summary>
    public static string Object(EngineObjectClass cls, string qId) => $"{ObjectPrefix}{cls}/{qId}";

    /// <summary>A private object of another user, read through an impersonated session as that user.</summary>
    public static string PrivateObject(string ownerId, EngineObjectClass cls, string qId) => $"{PrivatePrefix}{ownerId}/{cls}/{qId}";

    /// <summary>Parses an object part name; <paramref name="ownerId"/> is null for <see cref="Object"/> parts.</summary>
    public static bool TryParseObject(string partName, out string? ownerId, out EngineObjectClass cls, out string qId)
    {
        ownerId = null;
        cls = default;
        qId = "";
        string rest;
        if (partName.StartsWith(ObjectPrefix, StringComparison.Ordinal))
        {
            rest = partName[ObjectPrefix.Length..];
        }
        else if (partName.StartsWith(PrivatePrefix, StringComparison.Ordinal))
        {
            rest = partName[PrivatePrefix.Length..];
            int slash = rest.IndexOf('/');
            if (slash <= 0) return false;
            ownerId = rest[..slash];
            rest = rest[(slash + 1)..];
        }
        else
        {
            return false;
        }

        int sep = rest.IndexOf('/');
        if (sep <= 0 || sep == rest.Length - 1 || !Enum.TryParse(rest[..sep], out cls)) return false;
        qId = rest[(sep + 1)..];
        return true;
    }
}
