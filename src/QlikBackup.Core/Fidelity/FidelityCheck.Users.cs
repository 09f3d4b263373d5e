using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Restore;

namespace QlikBackup.Core.Fidelity;

// Users: a group Qlik cannot give back (an identity-provider group returns when a member signs in) is on the checklist, not a difference.
public sealed partial class FidelityCheck
{
    /// <summary>
    /// The expected user without the groups the restore's checklist names by id (the planner lists each group a user was not put
    /// back into); every other group, recreated or not, is still compared.
    /// </summary>
    static JsonElement WithoutChecklistGroups(AssetKind kind, JsonElement expected, IReadOnlyList<string> checklist)
    {
        if (kind != AssetKind.User || checklist.Count == 0) return expected;
        var gone = ResourceShapes.AssignedGroups(expected).Select(g => g.Id)
            .Where(id => checklist.Any(line => line.Contains($"({id})", StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
        if (gone.Count == 0 || JsonNode.Parse(expected.GetRawText()) is not JsonObject user || user["assignedGroups"] is not JsonArray groups) return expected;
        foreach (var g in groups.ToList())
        {
            string? id = g is JsonValue v ? v.GetValue<string>() : g?["id"]?.GetValue<string>();
            if (id is not null && gone.Contains(id)) groups.Remove(g);
        }
        return JsonTools.ToElement(user);
    }
}
