using System.Globalization;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Bench;

/// <summary>Changes made straight in the simulated tenant (so they cost no counted request): a reload, a deleted object.</summary>
public static class TenantChanges
{
    /// <summary>As a reload with new data: new payload bytes, a new lastReloadTime, a new modifiedDate.</summary>
    public static void Reload(SimulatedTenant tenant, string appId, int round) =>
        tenant.UpdateAppDocument(appId, SimulatedActor.System, (app, doc) =>
        {
            byte[] data = (byte[])doc.DataPayload.Clone();
            if (data.Length == 0) data = new byte[16];
            // Deterministic and different every round: the QVF is exported and stored again.
            BitConverter.TryWriteBytes(data.AsSpan(0, 4), round * 7919 + appId.GetHashCode(StringComparison.Ordinal));
            Loaded(tenant, app, doc, data);
            return 0;
        });

    /// <summary>As a reload that loaded <paramref name="data"/>.</summary>
    public static void SetData(SimulatedTenant tenant, string appId, byte[] data) =>
        tenant.UpdateAppDocument(appId, SimulatedActor.System, (app, doc) =>
        {
            Loaded(tenant, app, doc, data);
            return 0;
        });

    /// <summary>The capture exports the QVF again only when lastReloadTime moved, as data changes only by a reload in Qlik.</summary>
    static void Loaded(SimulatedTenant tenant, SimApp app, SimulatedAppDocument doc, byte[] data)
    {
        doc.DataPayload = data;
        DateTimeOffset now = tenant.Time.GetUtcNow();
        app.LastReloadTime = now;
        doc.AppProperties["qLastReloadTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Removes a top-level object from the app, as a user deleting a sheet; false if the app has no such object.</summary>
    public static bool DeleteObject(SimulatedTenant tenant, string appId, string qId) =>
        tenant.UpdateAppDocument(appId, SimulatedActor.System, (_, doc) => doc.Objects.Remove(qId));

    public static bool HasObject(SimulatedTenant tenant, string appId, string qId) =>
        tenant.Read(s => s.FindApp(appId)?.Document.Objects.ContainsKey(qId) ?? false);

    /// <summary>The apps of a space, by name (the seeder's order), so every run picks the same ones.</summary>
    public static IReadOnlyList<string> AppsOf(SimulatedTenant tenant, string spaceId) =>
        tenant.Read(s => s.Apps.Where(a => a.SpaceId == spaceId).OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Id, StringComparer.Ordinal)
            .Select(a => a.Id).ToList());

    public static IReadOnlyList<(string Id, string Name)> SharedSpaces(SimulatedTenant tenant) =>
        tenant.Read(s => s.Spaces.Where(x => x.Type == "shared").OrderBy(x => x.Name, StringComparer.Ordinal).Select(x => (x.Id, x.Name)).ToList());

    /// <summary>
    /// A new shared space with the members of <paramref name="fromSpaceId"/>, holding the first <paramref name="apps"/> of its
    /// apps (moved with their private objects, whose owners stay members); returns its id.
    /// </summary>
    public static string SplitSpace(SimulatedTenant tenant, string fromSpaceId, int apps, string name) =>
        tenant.Write(SimulatedActor.System, c =>
        {
            SimSpace from = c.State.FindSpace(fromSpaceId) ?? throw new KeyNotFoundException($"Space '{fromSpaceId}' not found.");
            var space = new SimSpace
            {
                Id = Guid.NewGuid().ToString("N")[..24], Name = name, Type = "shared", OwnerId = from.OwnerId, CreatedBy = from.CreatedBy,
                CreatedAt = c.Now, UpdatedAt = c.Now,
            };
            c.State.Spaces.Add(space);
            foreach (SimSpaceAssignment a in c.State.SpaceAssignments.Where(a => a.SpaceId == fromSpaceId).ToList())
            {
                c.State.SpaceAssignments.Add(new SimSpaceAssignment
                {
                    Id = Guid.NewGuid().ToString("N")[..24], SpaceId = space.Id, Type = a.Type, AssigneeId = a.AssigneeId, Roles = [.. a.Roles],
                    CreatedAt = c.Now, CreatedBy = a.CreatedBy, UpdatedAt = c.Now, UpdatedBy = a.UpdatedBy,
                });
            }

            foreach (SimApp app in c.State.Apps.Where(a => a.SpaceId == fromSpaceId).OrderBy(a => a.Name, StringComparer.Ordinal)
                .ThenBy(a => a.Id, StringComparer.Ordinal).Take(apps))
            {
                app.SpaceId = space.Id;
            }

            return space.Id;
        });
}
