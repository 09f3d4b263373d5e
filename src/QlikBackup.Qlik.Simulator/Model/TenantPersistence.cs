using System.Text.Json;

namespace QlikBackup.Qlik.Simulator.Model;

/// <summary>Saves/loads a tenant to a folder: tenant.json plus payloads/{appId}.bin and themes/{id}.zip.</summary>
public static class TenantPersistence
{
    private const string StateFile = "tenant.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, StateFile));

    public static void Save(SimulatedTenant tenant, string folder) => tenant.Read(state =>
    {
        Directory.CreateDirectory(Path.Combine(folder, "payloads"));
        Directory.CreateDirectory(Path.Combine(folder, "themes"));
        WriteAtomically(Path.Combine(folder, StateFile), JsonSerializer.SerializeToUtf8Bytes(state, Json));
        foreach (var app in state.Apps.Concat(state.DeletedApps.Select(d => d.App)))
            WriteAtomically(Path.Combine(folder, "payloads", app.Id + ".bin"), app.Document.DataPayload);
        foreach (var theme in state.Themes)
            WriteAtomically(Path.Combine(folder, "themes", theme.Id + ".zip"), theme.Zip);
        RemoveStale(Path.Combine(folder, "payloads"), ".bin", state.Apps.Concat(state.DeletedApps.Select(d => d.App)).Select(a => a.Id));
        RemoveStale(Path.Combine(folder, "themes"), ".zip", state.Themes.Select(t => t.Id));
        return 0;
    });

    public static SimulatedTenant Load(string folder, TimeProvider? time = null)
    {
        var state = JsonSerializer.Deserialize<TenantState>(File.ReadAllBytes(Path.Combine(folder, StateFile)), Json)
                    ?? throw new InvalidDataException($"Empty tenant state in '{folder}'.");
        foreach (var app in state.Apps.Concat(state.DeletedApps.Select(d => d.App)))
        {
            var payload = Path.Combine(folder, "payloads", app.Id + ".bin");
            if (File.Exists(payload)) app.Document.DataPayload = File.ReadAllBytes(payload);
        }
        foreach (var theme in state.Themes)
        {
            var zip = Path.Combine(folder, "themes", theme.Id + ".zip");
            if (File.Exists(zip)) theme.Zip = File.ReadAllBytes(zip);
        }
        foreach (var kind in ResourceKinds.All) state.Resource(kind);
        return new SimulatedTenant(state, time);
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    private static void RemoveStale(string dir, string ext, IEnumerable<string> keep)
    {
        var keepSet = keep.Select(id => id + ext).ToHashSet(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*" + ext))
            if (!keepSet.Contains(Path.GetFileName(f))) File.Delete(f);
    }
}
