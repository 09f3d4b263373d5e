using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace QlikBackup.Qlik.Simulator.Model;

/// <summary>
/// The simulator's QVF: a deterministic binary of an app document as one user sees it. Sections (4-byte tag,
/// int64 length, bytes): PROP app properties JSON, SCRP load script, OBJS objects JSON (sorted by qId: id, class,
/// qType, published, approved, properties), DATA payload (absent with NoData). App id, space, owners and
/// timestamps are deliberately not in the file, so export → import → export yields identical bytes.
/// </summary>
public static class QvfSerializer
{
    private static readonly byte[] Magic = "QVFSIM\0\u0001"u8.ToArray();

    public static byte[] Export(SimulatedAppDocument document, string exportingUserId, bool noData)
    {
        var objects = new JsonArray();
        foreach (var o in document.VisibleTo(exportingUserId).OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            objects.Add(new JsonObject
            {
                ["qId"] = o.Id,
                ["class"] = o.ObjectClass.ToString(),
                ["qType"] = o.QType,
                ["published"] = o.Published,
                ["approved"] = o.Approved,
                ["properties"] = o.Properties.DeepClone(),
            });
        }
        var sections = new List<(string Tag, byte[] Body)>
        {
            ("PROP", Encoding.UTF8.GetBytes(document.AppProperties.ToJsonString())),
            ("SCRP", Encoding.UTF8.GetBytes(document.Script)),
            ("OBJS", Encoding.UTF8.GetBytes(objects.ToJsonString())),
        };
        if (!noData) sections.Add(("DATA", document.DataPayload));

        // Written into one array of the exact size: a growing MemoryStream would hold up to three times a GiB-sized app.
        var qvf = new byte[Magic.Length + sections.Sum(x => 12L + x.Body.Length)];
        var span = qvf.AsSpan();
        Magic.CopyTo(span);
        var pos = Magic.Length;
        foreach (var (tag, body) in sections)
        {
            Encoding.ASCII.GetBytes(tag, span.Slice(pos, 4));
            BinaryPrimitives.WriteInt64LittleEndian(span.Slice(pos + 4, 8), body.Length);
            body.CopyTo(span[(pos + 12)..]);
            pos += 12 + body.Length;
        }
        return qvf;
    }

    /// <summary>Reads a QVF into a new document whose objects are all owned by <paramref name="importingUserId"/>.</summary>
    /// <exception cref="InvalidDataException">Not a simulator QVF.</exception>
    public static SimulatedAppDocument Import(ReadOnlySpan<byte> qvf, string importingUserId, DateTimeOffset now)
    {
        if (qvf.Length < Magic.Length || !qvf[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException("The file is not a QVF produced by this tenant.");
        var doc = new SimulatedAppDocument();
        var pos = Magic.Length;
        while (pos < qvf.Length)
        {
            if (qvf.Length - pos < 12) throw new InvalidDataException("Truncated QVF section header.");
            var tag = Encoding.ASCII.GetString(qvf.Slice(pos, 4));
            var length = BinaryPrimitives.ReadInt64LittleEndian(qvf.Slice(pos + 4, 8));
            pos += 12;
            if (length < 0 || length > qvf.Length - pos) throw new InvalidDataException($"Truncated QVF section '{tag}'.");
            var body = qvf.Slice(pos, (int)length);
            pos += (int)length;
            switch (tag)
            {
                case "PROP": doc.AppProperties = ParseJson(body) as JsonObject ?? throw new InvalidDataException("Bad PROP section."); break;
                case "SCRP": doc.Script = Encoding.UTF8.GetString(body); break;
                case "OBJS": ReadObjects(doc, body, importingUserId, now); break;
                case "DATA": doc.DataPayload = body.ToArray(); break;
                default: throw new InvalidDataException($"Unknown QVF section '{tag}'.");
            }
        }
        return doc;
    }

    private static void ReadObjects(SimulatedAppDocument doc, ReadOnlySpan<byte> body, string owner, DateTimeOffset now)
    {
        if (ParseJson(body) is not JsonArray array) throw new InvalidDataException("Bad OBJS section.");
        foreach (var node in array)
        {
            if (node is not JsonObject o || o["qId"]?.GetValue<string>() is not { } id || o["properties"] is not JsonObject props
                || !Enum.TryParse<SimObjectClass>(o["class"]?.GetValue<string>(), out var cls))
                throw new InvalidDataException("Bad object in OBJS section.");
            var published = o["published"]?.GetValue<bool>() ?? false;
            doc.Objects[id] = new SimulatedObject
            {
                Id = id,
                ObjectClass = cls,
                QType = o["qType"]?.GetValue<string>() ?? "",
                // Qlik: imported objects belong to the importing user; variables stay owner-less.
                OwnerId = cls == SimObjectClass.Variable ? null : owner,
                Published = published,
                Approved = o["approved"]?.GetValue<bool>() ?? false,
                PublishTime = published ? now : null,
                CreatedDate = now,
                ModifiedDate = now,
                Properties = (JsonObject)props.DeepClone(),
            };
        }
    }

    private static JsonNode? ParseJson(ReadOnlySpan<byte> utf8)
    {
        try { return JsonNode.Parse(utf8); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException("Bad JSON in QVF: " + e.Message); }
    }
}
