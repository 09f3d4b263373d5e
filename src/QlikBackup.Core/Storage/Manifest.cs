namespace QlikBackup.Core.Storage;

/// <summary>
/// The parts of one recovery point. Each part is content-addressed, so two points that share an object share
/// its blobs. Stored itself as an encrypted content blob (JSON).
/// </summary>
/// <param name="PointId">
/// The point the manifest was written for. The index row is not authenticated but the manifest is, so this is what proves
/// an index row names its own manifest and not another point's (a swapped or altered row). Null in manifests written
/// before it was recorded.
/// </param>
public sealed record Manifest(IReadOnlyList<ManifestPart> Parts, string? PointId = null)
{
    public ManifestPart? Find(string name) => Parts.FirstOrDefault(p => p.Name == name);
}

/// <summary>
/// One part: <see cref="Name"/> is stable within an asset ("qvf", "script", "object/sheet/{qId}", "resource").
/// <see cref="ContentRef"/> identifies the stored content (see <see cref="IContentStore"/>).
/// <see cref="Sha256"/> is the plaintext SHA-256 (hex) kept inside the encrypted manifest only, for hash-equality proofs.
/// </summary>
public sealed record ManifestPart(string Name, string ContentRef, long Size, string Sha256, string? MediaType = null);
