using System.Text.Json;
using static QlikBackup.Core.Capture.JsonMembers;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

/// <summary>
/// What an operator must supply after restoring a resource: the secrets Qlik never returns (reference §12). Stored as the
/// "reconfiguration" part; the restore plan lists it. Wording is deterministic so unchanged resources keep one blob.
/// </summary>
public static class Reconfiguration
{
    static readonly string[] DataFileConnectionTypes = ["qix-datafiles.exe", "DataFiles", "datafiles"];

    public static IReadOnlyList<string> For(AssetKind kind, QlikResource resource)
    {
        string name = resource.Name ?? resource.Id;
        JsonElement raw = resource.Raw;
        switch (kind)
        {
            case AssetKind.DataConnection:
                string? type = Str(raw, "qType");
                if (type is not null && DataFileConnectionTypes.Contains(type, StringComparer.OrdinalIgnoreCase)) return [];
                string? user = Str(raw, "qUsername") ?? Str(raw, "qLogOn");
                return [user is null
                    ? $"Data connection '{name}' ({type ?? "unknown type"}): re-enter its credentials or secret; Qlik never returns them."
                    : $"Data connection '{name}' ({type ?? "unknown type"}): re-enter the password of user '{user}'; Qlik never returns it."];
            case AssetKind.AutomationConnection:
                return [$"Automation connection '{name}' (connector {Str(raw, "connectorId") ?? "unknown"}): reconnect it (OAuth tokens and secret parameters are not returned)."];
            case AssetKind.Webhook:
                return [$"Webhook '{name}' ({Str(raw, "url") ?? "no url"}): enter the secret and any encrypted headers the receiver expects; Qlik never returns them."];
            case AssetKind.IdentityProvider:
                return [$"Identity provider '{name}' ({Str(raw, "protocol") ?? "unknown protocol"}, {Str(raw, "provider") ?? "unknown provider"}): re-enter its client secret / signing certificate; Qlik never returns them."];
            case AssetKind.ApiKey:
                return [$"API key '{name}' of {Str(raw, "sub") ?? "unknown user"}: its token cannot be recovered; issue a new key and update the clients that use it."];
            case AssetKind.Automation when string.Equals(Str(raw, "runMode"), "webhook", StringComparison.OrdinalIgnoreCase):
                return [$"Automation '{name}' is webhook-triggered: a restored copy gets a new URL and execution token; update its callers."];
            default:
                return [];
        }
    }
}
